import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { needsSetup } from "../auth/setup";
import { getRuntime } from "../boot/runtime";
import { PATH_HEADER } from "../http/path-header";
import { sameOriginPath } from "../http/safe-next";
import { actorFromRequest } from "./session";

export interface PageUser {
  id: string;
  email: string;
}

/** The page's signed-in user, or null; once per render. */
export const pageUser = cache(async (): Promise<PageUser | null> => {
  const actor = await actorFromRequest(await headers());
  return actor.kind === "user" ? { id: actor.id, email: actor.name } : null;
});

export const setupPending = cache(async (): Promise<boolean> => needsSetup((await getRuntime()).db));

/**
 * For pages behind sign-in: on a database without users, the setup page; without a session, the
 * login page, which comes back to `next`. Only a convenience: services check every call.
 */
export async function requirePageUser(next: string): Promise<PageUser> {
  if (await setupPending()) redirect("/setup");
  const user = await pageUser();
  if (!user) redirect(`/login?next=${encodeURIComponent(await requestedPath(next))}`);
  return user;
}

/** The exact page asked for (from proxy.ts) when it lies below `fallback`, else `fallback`. */
async function requestedPath(fallback: string): Promise<string> {
  const header = (await headers()).get(PATH_HEADER);
  const path = header === null ? null : sameOriginPath(header);
  return path && path === header && path.startsWith(fallback) ? path : fallback;
}
