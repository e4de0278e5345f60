import "server-only";
import type { Actor } from "@/server/context";
import { getRuntime } from "@/server/runtime";
import type { TrpcContext } from "@/server/trpc/init";

/** The web UI acts as the local user until the security issue brings sign-in. */
const WEB_ACTOR: Actor = { kind: "local", name: "web" };

/** tRPC context for the route handler and for server-component prefetches alike. */
export function createContext(): TrpcContext {
  return { actor: WEB_ACTOR, services: async () => (await getRuntime()).ctxFor(WEB_ACTOR) };
}
