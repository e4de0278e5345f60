import "server-only";
import type { Ctx } from "../context";
import { getRuntime } from "../runtime";

/** The services context of REST calls in the web app. The security issue replaces the actor with the caller's. */
export function restCtx(): Promise<Ctx> {
  return getRuntime().then((r) => r.ctxFor({ kind: "local", name: "rest" }));
}
