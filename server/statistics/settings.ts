import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import type { Ctx } from "../core/context";
import { inTransaction } from "../core/context";
import { Name } from "../core/name";
import { DEFAULT_DRIFT_THRESHOLD } from "../core/vocabulary";
import { statisticsSettings } from "../db/schema";
import { defineOperation } from "../operations/define";

/** The project's drift threshold (PSI), or the default when it set none. */
export async function driftThreshold(ctx: Ctx, projectId: string): Promise<number> {
  const [row] = await ctx.db
    .select({ t: statisticsSettings.driftThreshold })
    .from(statisticsSettings)
    .where(eq(statisticsSettings.projectId, projectId));
  return row?.t ?? DEFAULT_DRIFT_THRESHOLD;
}

const Settings = z.object({ driftThreshold: z.number(), isDefault: z.boolean() });

export const getStatisticsSettingsOp = defineOperation({
  name: "statistics.settings",
  summary: "The project's statistics settings: the PSI at or above which a feature is flagged as drifted.",
  kind: "query",
  access: "definitions.read",
  input: z.object({ project: Name }),
  output: Settings,
  run: async ({ ctx, project: p }) => {
    const [row] = await ctx.db
      .select({ t: statisticsSettings.driftThreshold })
      .from(statisticsSettings)
      .where(eq(statisticsSettings.projectId, p.id));
    return { driftThreshold: row?.t ?? DEFAULT_DRIFT_THRESHOLD, isDefault: !row };
  },
});

/**
 * Sets the project's drift threshold; it judges computations from now on (a stored row keeps the
 * threshold it was judged by). An operator's knob: it decides which runs raise drift.
 */
export const setDriftThresholdOp = defineOperation({
  name: "statistics.setThreshold",
  summary: "Set the project's drift threshold (PSI), used by statistics computed from now on.",
  kind: "mutation",
  access: "jobs.run",
  input: z.object({
    project: Name,
    /** PSI; 0.1 flags moderate shifts, 0.25 only large ones. */
    driftThreshold: z.number().positive().max(10),
  }),
  output: Settings,
  run: async ({ ctx, input: { driftThreshold: t }, project: p }) => {
    const before = await driftThreshold(ctx, p.id);
    await inTransaction(ctx, async (tx) => {
      await tx.db
        .insert(statisticsSettings)
        .values({ projectId: p.id, driftThreshold: t })
        .onConflictDoUpdate({
          target: statisticsSettings.projectId,
          set: { driftThreshold: t, updatedAt: new Date() },
        });
      await recordAudit(tx, {
        project: p,
        action: "statistics.set_threshold",
        objectType: "project",
        objectName: p.name,
        before: { driftThreshold: before },
        after: { driftThreshold: t },
      });
    });
    return { driftThreshold: t, isDefault: false };
  },
});
