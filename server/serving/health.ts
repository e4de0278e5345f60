import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Ctx } from "../core/context";
import { defineOperation, NoInput } from "../operations/define";

/** How long each check may take before it counts as down: a health probe must answer quickly. */
export const HEALTH_TIMEOUT_MS = 3000;

export interface Health {
  ok: boolean;
  onlineStore: Ctx["online"]["kind"];
  postgres: "ok" | "down";
  online: "ok" | "down";
  /** The process's registry cache, when it has one (serving processes). */
  registryCache?: { listening: boolean; ageSeconds: number | null };
}

const HealthAnswer = z.object({
  status: z.enum(["ok", "unavailable"]),
  online_store: z.string(),
  checks: z.object({ postgres: z.enum(["ok", "down"]), online_store: z.enum(["ok", "down"]) }).optional(),
  registry_cache: z.object({ listening: z.boolean(), age_seconds: z.number().nullable() }).optional(),
});

/**
 * Liveness: 200 when Postgres and the online store answer, else 503 saying which one does not.
 * A process holding the registry in memory (ctx.registry) also says whether its cache hears
 * change notifications and how old it is (`registry_cache`); a cache that does not listen is not
 * down (every lookup reads Postgres instead), so it never makes the answer a 503.
 * Public: it tells only up or down, nothing of any project.
 */
export const healthOp = defineOperation({
  name: "serving.health",
  summary: "Whether Postgres and the online store answer (503 naming the one that does not).",
  kind: "query",
  access: "public",
  input: NoInput,
  output: HealthAnswer,
  doors: ["rest"],
  rest: {
    path: "/api/v1/health",
    method: "GET",
    statusOf: (out) => ((out as z.output<typeof HealthAnswer>).status === "ok" ? 200 : 503),
  },
  run: async ({ ctx }) => {
    const h = await checkHealth({ ctx });
    const cache = h.registryCache && {
      registry_cache: { listening: h.registryCache.listening, age_seconds: h.registryCache.ageSeconds },
    };
    if (h.ok) return { status: "ok" as const, online_store: h.onlineStore, ...cache };
    return {
      status: "unavailable" as const,
      online_store: h.onlineStore,
      checks: { postgres: h.postgres, online_store: h.online },
      ...cache,
    };
  },
});

/** Pings Postgres and the online store, side by side. Failures are logged here, not returned. */
export async function checkHealth({ ctx }: { ctx: Ctx }): Promise<Health> {
  const [postgres, online] = await Promise.all([
    check(ctx, "postgres", () => ctx.db.execute(sql`select 1`)),
    check(ctx, "online store", () => ctx.online.ping()),
  ]);
  const health: Health = {
    ok: postgres === "ok" && online === "ok",
    onlineStore: ctx.online.kind,
    postgres,
    online,
  };
  const state = ctx.registry?.state();
  if (state)
    health.registryCache = {
      listening: state.listening,
      ageSeconds: state.ageMs === null ? null : Math.floor(state.ageMs / 1000),
    };
  return health;
}

async function check(ctx: Ctx, what: string, ping: () => Promise<unknown>): Promise<"ok" | "down"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)),
      HEALTH_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([ping(), timeout]);
    return "ok";
  } catch (e) {
    ctx.log.error({ err: e, check: what }, "health check: down");
    return "down";
  } finally {
    clearTimeout(timer);
  }
}
