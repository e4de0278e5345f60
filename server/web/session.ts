import "server-only";
import type { Actor } from "../core/context";
import { getAuth } from "./auth";

const ANONYMOUS: Actor = { kind: "anonymous" };

/** The signed-in user of a request's session cookie, or anonymous. */
export async function actorFromRequest(headers: Headers): Promise<Actor> {
  // No cookie, no session: skip the lookup (and building better-auth) for key-only and public calls.
  if (!headers.get("cookie")) return ANONYMOUS;
  const auth = await getAuth();
  const found = await auth.api.getSession({ headers });
  if (!found) return ANONYMOUS;
  return { kind: "user", id: found.user.id, name: found.user.email };
}
