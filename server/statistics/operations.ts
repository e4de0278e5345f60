import "server-only";
import { randomUUID } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { inTransaction } from "../core/context";
import { NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { featureStatistics } from "../db/schema";
import { defineOperation } from "../operations/define";
import { getFeatureView } from "../registry/feature-views/get";
import { computeStatistics } from "./compute";
import { FeatureStatistics, FeatureStatisticsAnswer } from "./outputs";
import { driftThreshold } from "./settings";

/**
 * The statistics doors (docs/adr/0033-feature-statistics.md). Statistics reveal values (min, max,
 * top values), so reading them needs `values.read` as the offline rows preview does (ADR 0027);
 * asking for a computation runs a job on the offline store, so it needs `jobs.run`.
 */

const HISTORY = 20;

export const getFeatureStatisticsOp = defineOperation({
  name: "statistics.get",
  summary: "A feature's latest statistics, the previous ones, and a short history across runs.",
  kind: "query",
  access: "values.read",
  input: z.object({ project: Name, featureView: Name, feature: Name }),
  output: FeatureStatisticsAnswer,
  run: async ({ ctx, input: { project, featureView, feature }, project: p }) => {
    const view = await getFeatureView({ ctx, input: { project, name: featureView } });
    if (!view.spec.fields.some((f) => f.name === feature))
      throw new NotFoundError(`feature "${feature}" not found in feature view "${featureView}"`, "feature");
    // Served by feature_statistics_view_feature_computed_idx.
    const rows = await ctx.db
      .select()
      .from(featureStatistics)
      .where(and(eq(featureStatistics.featureViewId, view.id), eq(featureStatistics.feature, feature)))
      .orderBy(desc(featureStatistics.computedAt), desc(featureStatistics.id))
      .limit(HISTORY);
    const pick = (r: (typeof rows)[number] | undefined) => (r ? FeatureStatistics.parse(r) : null);
    return {
      threshold: await driftThreshold(ctx, p.id),
      latest: pick(rows[0]),
      previous: pick(rows[1]),
      history: rows.map((r) => ({
        computationId: r.computationId,
        runId: r.runId,
        windowEnd: r.windowEnd,
        computedAt: r.computedAt,
        count: r.count,
        nulls: r.nulls,
        mean: r.mean,
        psi: r.psi,
        drift: r.drift,
      })),
    };
  },
});

export const computeFeatureStatisticsOp = defineOperation({
  name: "statistics.compute",
  summary: "Queue a statistics computation of a feature view's features over its latest values now.",
  kind: "mutation",
  writesRegistry: false,
  access: "jobs.run",
  input: z.object({ project: Name, featureView: Name }),
  output: z.object({ computationId: z.string() }),
  run: async ({ ctx, input: { project, featureView }, project: p }) => {
    const view = await getFeatureView({ ctx, input: { project, name: featureView } });
    const computationId = randomUUID();
    // The job is sent inside the audit's transaction: a job that cannot be sent leaves no audit row.
    await inTransaction(ctx, async (tx) => {
      await recordAudit(tx, {
        project: p,
        action: "statistics.compute",
        objectType: "feature_view",
        objectName: featureView,
        after: { computationId },
      });
      await ctx.jobs.enqueueStatistics({ computationId, projectId: p.id, featureViewId: view.id });
    });
    return { computationId };
  },
});

/** The queue's door (worker.ts): Quiver's own worker only. */
export const executeStatisticsOp = defineOperation({
  name: "statistics.execute",
  summary: "Compute and store one statistics computation: a succeeded run's, or an on-demand one.",
  kind: "mutation",
  writesRegistry: false,
  access: "trusted",
  input: z.union([
    z.object({ runId: z.uuid() }),
    z.object({ computationId: z.uuid(), projectId: z.uuid(), featureViewId: z.uuid() }),
  ]),
  output: z.object({ computationId: z.string(), features: z.number(), drifted: z.array(z.string()) }),
  doors: ["job"],
  run: ({ ctx, input }) =>
    computeStatistics(ctx, "runId" in input ? { kind: "run", ...input } : { kind: "on_demand", ...input }),
});
