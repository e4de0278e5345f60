import "server-only";
import { and, desc, eq, ne, sql } from "drizzle-orm";
import type { Ctx } from "../core/context";
import { inTransaction } from "../core/context";
import { featureStatistics, featureViews, projects } from "../db/schema";
import { loadRuns } from "../materialization/run-row";
import { viewColumns } from "../offline/source-query";
import type { StatsFeature } from "../offline/stats-query";
import { readViewStatistics } from "../offline/stats-reader";
import { getFeatureView } from "../registry/feature-views/get";
import { assembleStatistics, type PreviousStats, planDistribution } from "./assemble";
import { onDriftDetected } from "./drift";
import { driftThreshold } from "./settings";

/**
 * Computes and stores the statistics of every feature of one view over one population
 * (docs/adr/0033-feature-statistics.md):
 * - a materialization run's: the latest row per entity key in the run's window [start, end], read
 *   from the run's view version — exactly what the run wrote to the online store;
 * - an on-demand computation's: the latest row per entity key up to now, at the view's current version.
 * Two aggregate statements in the engine (stats-reader.ts), never rows into Node. PSI compares each
 * feature with its previous statistics (any earlier computation of the same view and feature);
 * at or above the project's threshold the row is flagged and onDriftDetected is told.
 * Idempotent: a computation already stored is left as it is (a redelivered job does nothing).
 */

export type StatisticsTarget =
  | { kind: "run"; runId: string }
  | { kind: "on_demand"; computationId: string; projectId: string; featureViewId: string };

export interface ComputedStatistics {
  computationId: string;
  /** Features stored; 0 when there was nothing to do (a run that did not succeed, already stored). */
  features: number;
  drifted: string[];
}

interface Population {
  computationId: string;
  runId: string | null;
  project: string;
  featureView: string;
  version?: number;
  start: Date;
  end: Date;
}

async function populationOf(ctx: Ctx, target: StatisticsTarget): Promise<Population | null> {
  if (target.kind === "run") {
    const [run] = await loadRuns(ctx.db, [target.runId]);
    if (run?.status !== "succeeded") return null;
    return {
      computationId: run.id,
      runId: run.id,
      project: run.project,
      featureView: run.featureView,
      version: run.featureViewVersion,
      start: run.startTs,
      end: run.endTs,
    };
  }
  const [row] = await ctx.db
    .select({ project: projects.name, featureView: featureViews.name })
    .from(featureViews)
    .innerJoin(projects, eq(projects.id, featureViews.projectId))
    .where(and(eq(featureViews.id, target.featureViewId), eq(featureViews.projectId, target.projectId)));
  if (!row) return null;
  return {
    computationId: target.computationId,
    runId: null,
    project: row.project,
    featureView: row.featureView,
    start: new Date(0),
    end: new Date(),
  };
}

export async function computeStatistics(ctx: Ctx, target: StatisticsTarget): Promise<ComputedStatistics> {
  const pop = await populationOf(ctx, target);
  const computationId = target.kind === "run" ? target.runId : target.computationId;
  if (!pop) return { computationId, features: 0, drifted: [] };
  const [done] = await ctx.db
    .select({ id: featureStatistics.id })
    .from(featureStatistics)
    .where(eq(featureStatistics.computationId, computationId))
    .limit(1);
  if (done) return { computationId, features: 0, drifted: [] };

  const view = await getFeatureView({
    ctx,
    input: { project: pop.project, name: pop.featureView, version: pop.version },
  });
  const features: StatsFeature[] = view.spec.fields.map((f) => ({ name: f.name, dtype: f.dtype }));
  if (features.length === 0) return { computationId, features: 0, drifted: [] };
  const previous = await previousStatistics(ctx, view.id, computationId);
  const threshold = await driftThreshold(ctx, view.projectId);
  const ttl = view.spec.ttlSeconds;
  const cutoff = ttl > 0 ? new Date(pop.end.getTime() - ttl * 1000) : null;

  let plans: ReturnType<typeof planDistribution> = [];
  const read = await readViewStatistics(
    ctx.offline,
    pop.project,
    view.source,
    viewColumns(view.spec.fields, view.entities),
    { start: pop.start, end: pop.end },
    {
      features,
      cutoff,
      plan: (summary) => {
        plans = planDistribution(features, summary, previous);
        return plans;
      },
    },
  );
  const stats = assembleStatistics({ ...read, features, plans, previous });

  const stored = await inTransaction(ctx, (tx) =>
    tx.db
      .insert(featureStatistics)
      .values(
        stats.map((s) => ({
          ...s,
          projectId: view.projectId,
          featureViewId: view.id,
          featureViewVersion: view.version,
          computationId,
          runId: pop.runId,
          windowStart: pop.start,
          windowEnd: pop.end,
          driftThreshold: threshold,
          drift: s.psi !== null && s.psi >= threshold,
        })),
      )
      // Two deliveries of one job: the first one's rows stand.
      .onConflictDoNothing()
      .returning({
        feature: featureStatistics.feature,
        drift: featureStatistics.drift,
        psi: featureStatistics.psi,
      }),
  );
  const drifted = stored.filter((s) => s.drift);
  for (const d of drifted)
    await onDriftDetected(ctx, {
      projectId: view.projectId,
      featureViewId: view.id,
      featureView: view.name,
      feature: d.feature,
      runId: pop.runId,
      computationId,
      psi: d.psi ?? 0,
      threshold,
    }).catch((e: unknown) => ctx.log.error({ err: e, feature: d.feature }, "drift hook failed"));
  return { computationId, features: stored.length, drifted: drifted.map((d) => d.feature) };
}

/** Per feature of the view, its latest statistics from another computation (what PSI compares against). */
async function previousStatistics(
  ctx: Ctx,
  featureViewId: string,
  computationId: string,
): Promise<Map<string, PreviousStats>> {
  const rows = await ctx.db
    .selectDistinctOn([featureStatistics.feature], {
      feature: featureStatistics.feature,
      kind: featureStatistics.kind,
      histogram: featureStatistics.histogram,
      topValues: featureStatistics.topValues,
    })
    .from(featureStatistics)
    .where(
      and(
        eq(featureStatistics.featureViewId, featureViewId),
        ne(featureStatistics.computationId, computationId),
      ),
    )
    .orderBy(featureStatistics.feature, desc(featureStatistics.computedAt), sql`${featureStatistics.id}`);
  return new Map(rows.map((r) => [r.feature, r]));
}
