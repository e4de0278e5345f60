import "server-only";
import { eq } from "drizzle-orm";
import type { Ctx } from "../core/context";
import { DEFAULT_DRIFT_THRESHOLD } from "../core/vocabulary";
import { statisticsSettings } from "../db/schema";

/** The project's drift threshold (PSI), or the default when it set none. */
export async function driftThreshold(ctx: Ctx, projectId: string): Promise<number> {
  const [row] = await ctx.db
    .select({ t: statisticsSettings.driftThreshold })
    .from(statisticsSettings)
    .where(eq(statisticsSettings.projectId, projectId));
  return row?.t ?? DEFAULT_DRIFT_THRESHOLD;
}
