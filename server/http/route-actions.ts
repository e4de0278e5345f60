import "server-only";
import type { Action } from "../auth/roles";

/**
 * What each HTTP route of the app needs, declared in one place: a project action (the service
 * checks it again against the caller's role), "public", or "per-procedure" for the tRPC endpoint
 * (each procedure declares its own). A test (doors.test.ts) fails for any route file whose methods
 * are not listed here.
 */
export const ROUTE_ACTIONS: Record<string, Action | "public" | "per-procedure"> = {
  "POST /api/v1/get-online-features": "values.read",
  "POST /api/v1/push": "values.write",
  "POST /api/v1/materialize": "jobs.run",
  "POST /api/v1/materialize-incremental": "jobs.run",
  // Liveness only: says whether Postgres and the online store answer, nothing of any project.
  "GET /api/v1/health": "public",
  // better-auth's own endpoints: sign-in (throttled), sign-out, session.
  "GET /api/auth/[...all]": "public",
  "POST /api/auth/[...all]": "public",
  "GET /api/trpc/[trpc]": "per-procedure",
  "POST /api/trpc/[trpc]": "per-procedure",
};
