import "server-only";
import { and, eq } from "drizzle-orm";
import type { Ctx } from "../core/context";
import { featureViews, projects } from "../db/schema";
import { createDeliveries } from "./deliveries";
import { viewLink } from "./payload";

export interface DriftReport {
  projectId: string;
  featureViewId: string;
  feature: string;
  /** The statistics run that measured it: with the feature, what makes the alert once-only. */
  runId: string;
  psi: number;
  threshold: number;
}

/**
 * For the statistics jobs: tells the rules that listen to `drift` that a feature's distribution
 * moved (PSI past its threshold). Once per (rule, run, feature), however often it is called; run it
 * in the transaction that records the measurement. The loop in loop.ts sends the deliveries.
 * Answers the number of deliveries created.
 */
export async function raiseDriftAlert(ctx: Ctx, d: DriftReport): Promise<number> {
  const [found] = await ctx.db
    .select({ project: projects.name, view: featureViews.name })
    .from(featureViews)
    .innerJoin(projects, eq(projects.id, featureViews.projectId))
    .where(and(eq(featureViews.id, d.featureViewId), eq(featureViews.projectId, d.projectId)));
  if (!found) return 0;
  return createDeliveries(ctx, {
    projectId: d.projectId,
    featureViewId: d.featureViewId,
    event: "drift",
    dedupeKey: `drift:${d.runId}:${d.feature}`,
    payload: {
      event: "drift",
      project: found.project,
      featureView: found.view,
      incident: null,
      occurredAt: new Date().toISOString(),
      summary: `Feature ${found.project}/${found.view}:${d.feature} drifted: PSI ${d.psi.toFixed(3)} is past ${d.threshold}.`,
      link: viewLink(found.project, found.view),
      details: { feature: d.feature, runId: d.runId, psi: d.psi, threshold: d.threshold },
    },
  });
}
