import "server-only";
import { sql } from "drizzle-orm";
import type { Ctx } from "../core/context";

/** How long each check may take before it counts as down: a health probe must answer quickly. */
export const HEALTH_TIMEOUT_MS = 3000;

export interface Health {
  ok: boolean;
  onlineStore: Ctx["online"]["kind"];
  postgres: "ok" | "down";
  online: "ok" | "down";
}

/** Pings Postgres and the online store, side by side. Failures are logged here, not returned. */
export async function checkHealth({ ctx }: { ctx: Ctx }): Promise<Health> {
  const [postgres, online] = await Promise.all([
    check("postgres", () => ctx.db.execute(sql`select 1`)),
    check("online store", () => ctx.online.ping()),
  ]);
  return { ok: postgres === "ok" && online === "ok", onlineStore: ctx.online.kind, postgres, online };
}

async function check(what: string, ping: () => Promise<unknown>): Promise<"ok" | "down"> {
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
    console.error(`[quiver] health: ${what} is down:`, e instanceof Error ? e.message : e);
    return "down";
  } finally {
    clearTimeout(timer);
  }
}
