import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { ProjectRow } from "../auth/authorize";
import type { Ctx } from "../core/context";
import { NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { featureViews } from "../db/schema";
import { defineOperation } from "../operations/define";

/** The chart's span and resolution: 7 days of 10-minute buckets, 1,008 points at most. */
export const HISTORY_DAYS = 7;
export const BUCKET_SECONDS = 600;

export const LagHistoryInput = z.object({ project: Name, featureView: Name });

export const LagBucket = z.object({
  /**
   * Start of the bucket, ms since the epoch (UTC, a multiple of BUCKET_SECONDS). A number, not a
   * Date: superjson would describe each of the 1,008 Dates and triple the answer's size.
   */
  startMs: z.number(),
  /** Minutes sampled in the bucket; 0 is a gap (no worker sampled), never interpolated. */
  samples: z.number(),
  /** The largest lag sampled in the bucket; null in a gap or while never materialized. */
  maxLagSeconds: z.number().nullable(),
  /** The largest SLA in force in the bucket; null without one. */
  slaSeconds: z.number().nullable(),
  /** Sampled minutes in breach: an SLA and a lag past it, or no watermark at all. */
  breachMinutes: z.number(),
});
export type LagBucket = z.output<typeof LagBucket>;

export const LagHistory = z.object({
  featureView: z.string(),
  from: z.date(),
  to: z.date(),
  bucketSeconds: z.number(),
  /** The SLA now (the buckets carry the SLA of their time). */
  slaSeconds: z.number().nullable(),
  buckets: z.array(LagBucket),
});
export type LagHistory = z.output<typeof LagHistory>;

function lagHistoryOperation(clock: () => Date) {
  return defineOperation({
    name: "freshness.lagHistory",
    summary:
      "A feature view's lag over the last 7 days, in 10-minute buckets: max lag, SLA, breached minutes.",
    kind: "query",
    access: "definitions.read",
    input: LagHistoryInput,
    output: LagHistory,
    run: ({ ctx, input, project }) => lagHistoryOf(ctx, project, input.featureView, clock()),
  });
}

export const lagHistoryOp = lagHistoryOperation(() => new Date());

/** lagHistoryOp.call, as of `now` when given (tests). */
export function getLagHistory({
  ctx,
  input,
  now,
}: {
  ctx: Ctx;
  input: z.input<typeof LagHistoryInput>;
  now?: Date;
}): Promise<LagHistory> {
  return (now ? lagHistoryOperation(() => now) : lagHistoryOp).call({ ctx, input });
}

async function lagHistoryOf(ctx: Ctx, p: ProjectRow, name: string, now: Date): Promise<LagHistory> {
  const [view] = await ctx.db
    .select({ id: featureViews.id, sla: featureViews.freshnessSlaSeconds })
    .from(featureViews)
    .where(and(eq(featureViews.projectId, p.id), eq(featureViews.name, name)));
  if (!view)
    throw new NotFoundError(
      `featureView: feature view "${name}" not found in project "${p.name}"`,
      "featureView",
    );

  // Buckets on the epoch grid (UTC whatever the session's time zone); the last one holds `now`.
  const last = Math.floor(now.getTime() / 1000 / BUCKET_SECONDS) * BUCKET_SECONDS;
  const first = last - HISTORY_DAYS * 86_400 + BUCKET_SECONDS;
  const rows = await ctx.db.execute<{
    start: number;
    samples: number;
    max_lag: number | null;
    sla: number | null;
    breach: number;
  }>(sql`
    with grid as (
      select generate_series(${first}::bigint, ${last}::bigint, ${BUCKET_SECONDS}::bigint) as start
    ), b as (
      select (floor(extract(epoch from minute) / ${BUCKET_SECONDS}) * ${BUCKET_SECONDS})::bigint as start,
        count(*)::int as samples,
        max(lag_seconds) as max_lag,
        max(sla_seconds) as sla,
        (count(*) filter (where sla_seconds is not null
          and (lag_seconds is null or lag_seconds > sla_seconds)))::int as breach
      from lag_samples
      -- Served by the primary key (feature_view_id, minute).
      where feature_view_id = ${view.id}
        and minute >= to_timestamp(${first}) and minute < to_timestamp(${last + BUCKET_SECONDS})
      group by 1
    )
    select grid.start::float8 as start, coalesce(b.samples, 0) as samples, b.max_lag, b.sla,
      coalesce(b.breach, 0) as breach
    from grid left join b using (start)
    order by grid.start`);
  return {
    featureView: name,
    from: new Date(first * 1000),
    to: now,
    bucketSeconds: BUCKET_SECONDS,
    slaSeconds: view.sla,
    buckets: rows.rows.map((r) => ({
      startMs: Number(r.start) * 1000,
      samples: Number(r.samples),
      maxLagSeconds: r.max_lag === null ? null : Number(r.max_lag),
      slaSeconds: r.sla === null ? null : Number(r.sla),
      breachMinutes: Number(r.breach),
    })),
  };
}
