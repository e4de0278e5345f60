import "server-only";
import { desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { ProjectRow } from "../auth/authorize";
import type { Ctx } from "../core/context";
import { Name } from "../core/name";
import { dataSources, featureViews, materializationRuns, type ProbeStatus } from "../db/schema";
import { defineOperation } from "../operations/define";
import * as out from "./outputs";
import { loadProbes, probesStale } from "./probe-sources";
import { type FreshnessState, freshnessState } from "./state";

export const GetFreshnessInput = z.object({ project: Name });

export interface ViewFreshness {
  featureView: string;
  online: boolean;
  slaSeconds: number | null;
  /** Newest event time in the offline source, as of the last probe (null when empty or unknown). */
  newestSourceEvent: Date | null;
  /** The last background probe of the source; pending when none has finished yet. */
  probe: {
    status: ProbeStatus | "pending";
    probedAt: Date | null;
    rowCount: number | null;
    /** Safe to show: names the problem, never a value. */
    error: string | null;
  };
  /** End of the last successful materialization: the online store holds data up to here. */
  watermark: Date | null;
  /** Seconds between now and the watermark. */
  lagSeconds: number | null;
  /** Seconds of source data not yet materialized (newest source event - watermark, at least 0). */
  backlogSeconds: number | null;
  status: FreshnessState;
  lastRun: {
    id: string;
    status: string;
    finishedAt: Date | null;
    createdAt: Date;
    error: string | null;
  } | null;
}

/**
 * Per feature view: how fresh the online data is against its SLA. A view meets its SLA when
 * now - watermark <= SLA; a view with an SLA that was never materialized is in breach. `clock`
 * tells the time: the operation's is the real one, a test's may be fixed (getFreshness's `now`).
 */
function freshnessOperation(clock: () => Date) {
  return defineOperation({
    name: "freshness.list",
    summary: "Per feature view: how fresh its online data is against its SLA, and its source's last probe.",
    kind: "query",
    access: "definitions.read",
    input: GetFreshnessInput,
    output: z.array(out.ViewFreshness),
    run: ({ ctx, project: p }) => freshnessOf(ctx, p, clock()),
  });
}

export const getFreshnessOp = freshnessOperation(() => new Date());

/** getFreshnessOp.call, as of `now` when given. */
export function getFreshness({
  ctx,
  input,
  now,
}: {
  ctx: Ctx;
  input: z.input<typeof GetFreshnessInput>;
  now?: Date;
}): Promise<ViewFreshness[]> {
  const op = now ? freshnessOperation(() => now) : getFreshnessOp;
  return op.call({ ctx, input });
}

async function freshnessOf(ctx: Ctx, p: ProjectRow, now: Date): Promise<ViewFreshness[]> {
  const views = await ctx.db
    .select({ view: featureViews, source: dataSources })
    .from(featureViews)
    .innerJoin(dataSources, eq(dataSources.id, featureViews.sourceId))
    .where(eq(featureViews.projectId, p.id))
    .orderBy(featureViews.name);
  if (views.length === 0) return [];

  const lastRuns = await ctx.db
    .selectDistinctOn([materializationRuns.featureViewId])
    .from(materializationRuns)
    .where(eq(materializationRuns.projectId, p.id))
    .orderBy(
      materializationRuns.featureViewId,
      desc(materializationRuns.createdAt),
      sql`${materializationRuns.id}`,
    );
  const lastRunOf = new Map(lastRuns.map((r) => [r.featureViewId, r]));

  // Source SQL never runs while the page waits: it reads the last probes and asks for fresh ones.
  const probes = await loadProbes(ctx, p.id);
  if (await probesStale(ctx, p.id))
    await ctx.jobs.enqueueSourceProbe(p.id).catch((e: unknown) => {
      ctx.log.warn({ err: e, project: p.name }, "could not queue the source probes");
    });
  return views.map(({ view, source }) => {
    const found = probes.get(source.id);
    const newest = found?.newestEventTs ?? null;
    const watermark = view.materializedUntil;
    const lagSeconds = watermark
      ? Math.max(0, Math.round((now.getTime() - watermark.getTime()) / 1000))
      : null;
    const backlogSeconds =
      watermark && newest ? Math.max(0, Math.round((newest.getTime() - watermark.getTime()) / 1000)) : null;
    const sla = view.freshnessSlaSeconds;
    const run = lastRunOf.get(view.id);
    const status = freshnessState({ slaSeconds: sla, lagSeconds, lastRunStatus: run?.status ?? null });
    return {
      featureView: view.name,
      online: view.online,
      slaSeconds: sla,
      newestSourceEvent: newest,
      probe: found
        ? { status: found.status, probedAt: found.probedAt, rowCount: found.rowCount, error: found.error }
        : { status: "pending", probedAt: null, rowCount: null, error: null },
      watermark,
      lagSeconds,
      backlogSeconds,
      status,
      lastRun: run
        ? {
            id: run.id,
            status: run.status,
            finishedAt: run.finishedAt,
            createdAt: run.createdAt,
            error: run.error,
          }
        : null,
    };
  });
}
