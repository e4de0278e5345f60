import "server-only";
import { sql } from "drizzle-orm";
import { type Logger, rootLogger } from "../core/log";
import type { Db } from "../db/client";
import { lagSamples } from "../db/schema";
import { env } from "../env";
import { freshnessState } from "./state";

/**
 * The lag sampler (docs/adr/0034-lag-history-and-run-logs.md): every worker process samples every
 * feature view's lag once a minute into lag_samples. The primary key (view, minute) and ON CONFLICT
 * DO NOTHING make one row per view and minute however many processes sample; samples older than
 * RETENTION_DAYS are deleted in bounded slices by the same loop.
 */

/** The chart shows seven days; one more day is kept so a week-old bucket is never half deleted. */
export const RETENTION_DAYS = 8;
/** Most rows one retention pass deletes: a backlog (a stopped cluster restarting) drains over minutes. */
export const RETENTION_SLICE = 10_000;

/** One sample per view for the minute of `now`; returns how many rows this call inserted. */
export async function sampleLag(db: Db, now: Date = new Date()): Promise<number> {
  // One pass over the views; each view's newest run comes from materialization_runs_view_created_idx.
  const views = await db.execute<{
    id: string;
    watermark: Date | string | null;
    sla: number | null;
    last_status: string | null;
  }>(sql`
    select v.id, v.materialized_until as watermark, v.freshness_sla_seconds as sla,
      (select r.status from materialization_runs r
        where r.feature_view_id = v.id order by r.created_at desc, r.id limit 1) as last_status
    from feature_views v`);
  if (views.rows.length === 0) return 0;
  const ids: string[] = [];
  const lags: (number | null)[] = [];
  const slas: (number | null)[] = [];
  const states: string[] = [];
  for (const v of views.rows) {
    const watermark = v.watermark === null ? null : new Date(v.watermark);
    // As freshness.list computes it (get-freshness.ts), so the chart and the board agree.
    const lag = watermark ? Math.max(0, Math.round((now.getTime() - watermark.getTime()) / 1000)) : null;
    ids.push(v.id);
    lags.push(lag);
    slas.push(v.sla);
    states.push(freshnessState({ slaSeconds: v.sla, lagSeconds: lag, lastRunStatus: v.last_status }));
  }
  // The state rule stays in TypeScript (state.ts); the write is still one statement for all views.
  const inserted = await db.execute(sql`
    insert into ${lagSamples} (feature_view_id, minute, lag_seconds, sla_seconds, state)
    select s.id, date_trunc('minute', ${now.toISOString()}::timestamptz), s.lag, s.sla, s.state
    from unnest(${sql.param(ids)}::uuid[], ${sql.param(lags)}::int[], ${sql.param(slas)}::int[], ${sql.param(states)}::text[])
      as s(id, lag, sla, state)
    -- A view deleted since the read above: skipped, not a foreign key error.
    where exists (select 1 from feature_views v where v.id = s.id)
    on conflict (feature_view_id, minute) do nothing`);
  return inserted.rowCount ?? 0;
}

/** Deletes at most RETENTION_SLICE samples older than RETENTION_DAYS before `now`; returns how many. */
export async function pruneLagSamples(db: Db, now: Date = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - RETENTION_DAYS * 86_400_000).toISOString();
  // Served by lag_samples_minute_idx; ctid keeps the slice one index scan, not a join on the key.
  const deleted = await db.execute(sql`
    delete from ${lagSamples} where ctid = any (array(
      select ctid from ${lagSamples} where minute < ${cutoff}::timestamptz limit ${RETENTION_SLICE}))`);
  return deleted.rowCount ?? 0;
}

export interface LagSampler {
  /** Samples and prunes now (after a pass in progress). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Samples at start, then at each boundary of the period (QUIVER_LAG_SAMPLE_MS, a minute unless a
 * test shortens it), so processes sample at the same instants; errors are logged and the loop goes on.
 */
export function startLagSampler(opts: {
  db: Db;
  log?: Logger;
  periodMs?: number;
  clock?: () => Date;
}): LagSampler {
  const log = opts.log ?? rootLogger();
  const periodMs = opts.periodMs ?? env().QUIVER_LAG_SAMPLE_MS;
  const clock = opts.clock ?? (() => new Date());
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const pass = async () => {
    const now = clock();
    try {
      await sampleLag(opts.db, now);
      await pruneLagSamples(opts.db, now);
    } catch (e) {
      log.warn({ err: e }, "sampling the feature views' lag failed");
    }
  };
  const tick = async () => {
    if (running) await running;
    running = pass().finally(() => {
      running = undefined;
    });
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    const wait = periodMs - (Date.now() % periodMs);
    timer = setTimeout(() => {
      void tick().finally(schedule);
    }, wait);
    timer.unref();
  };
  void tick().finally(schedule);
  return {
    tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
