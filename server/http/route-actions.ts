import "server-only";
import type { Access } from "../operations/define";
import { restOperations } from "../operations/openapi";

/**
 * What each HTTP route of the app needs, in one place. The REST routes of operations take their
 * access from the operation's descriptor (server/operations/catalog.ts); the generic route checks
 * per operation, like the tRPC endpoint per procedure. A test (doors.test.ts) fails for any route
 * file whose methods are not listed here.
 */
export const ROUTE_ACTIONS: Record<string, Access | "per-operation" | "per-procedure" | "metrics"> = {
  ...Object.fromEntries(
    restOperations()
      .filter((op) => op.rest?.path)
      .map((op) => [`${op.rest?.method ?? "POST"} ${op.rest?.path}`, op.access]),
  ),
  "POST /api/v1/ops/[name]": "per-operation",
  // The API's description, generated from the descriptors: nothing of any project.
  "GET /api/v1/openapi.json": "public",
  // better-auth's own endpoints: sign-in (throttled), sign-out, session.
  "GET /api/auth/[...all]": "public",
  "POST /api/auth/[...all]": "public",
  "GET /api/trpc/[trpc]": "per-procedure",
  "POST /api/trpc/[trpc]": "per-procedure",
  // Prometheus metrics: QUIVER_METRICS_TOKEN, else loopback clients only (server/metrics/access.ts).
  "GET /metrics": "metrics",
};
