import "server-only";
import { desc, eq, sql } from "drizzle-orm";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { ProjectRow } from "../auth/authorize";
import type { Ctx } from "../core/context";
import { DomainError } from "../core/errors";
import { Name } from "../core/name";
import {
  dataSources,
  streamViews,
  transformationRuns,
  transformations,
  transformationVersions,
} from "../db/schema";
import { defineOperation } from "../operations/define";
import { transformationNextRuns } from "../schedules/transformation-schedules";
import { groupName } from "../streams/consumer";
import { streamViewLag } from "../streams/lag";
import { streamRedis } from "../streams/serve";
import {
  STREAM_FRESHNESS_STATES,
  streamState,
  TRANSFORMATION_FRESHNESS_STATES,
  transformationState,
} from "./engine-state";
import { loadProbes, probesStale } from "./probe-sources";

export const EngineFreshnessInput = z.object({ project: Name });

const TransformationFreshness = z.object({
  transformation: z.string(),
  status: z.enum(TRANSFORMATION_FRESHNESS_STATES),
  /** The end of the last successful run: the output covers input events before it. */
  watermark: z.date().nullable(),
  /** The newest event time in the output table, as of its source's last probe. */
  newestWritten: z.date().nullable(),
  /** The newest event time over the inputs, as of their last probes (null when none is known). */
  newestInput: z.date().nullable(),
  /** Inputs with no usable probe (pending, timed out or failed): they are not counted. */
  inputsUnknown: z.array(z.string()),
  /** Seconds of input events at or past the watermark (newest input − watermark, at least 0). */
  behindSeconds: z.number().nullable(),
  lastRun: z
    .object({
      id: z.string(),
      status: z.string(),
      mode: z.string(),
      finishedAt: z.date().nullable(),
      createdAt: z.date(),
      error: z.string().nullable(),
    })
    .nullable(),
  /** Its schedule's next run (null: not scheduled; nextRunAt null: paused). */
  schedule: z
    .object({ paused: z.boolean(), nextRunAt: z.date().nullable(), description: z.string() })
    .nullable(),
});
export type TransformationFreshness = z.infer<typeof TransformationFreshness>;

const StreamFreshness = z.object({
  streamView: z.string(),
  streamKey: z.string(),
  status: z.enum(STREAM_FRESHNESS_STATES),
  /** Why the figures are missing (Redis not configured or not answering); null when read. */
  error: z.string().nullable(),
  /** Entries not yet delivered to the view's consumer group (null: Redis cannot tell). */
  lag: z.number().nullable(),
  /** Entries delivered and not yet acknowledged. */
  pending: z.number().nullable(),
  consumers: z.number().nullable(),
  /** The most recently active consumer's idle time in ms (null without consumers). */
  idleMs: z.number().nullable(),
  /** The newest event time applied (the view's watermark). */
  newestEvent: z.date().nullable(),
  /** now − newest event applied, in ms. */
  behindMs: z.number().nullable(),
  applied: z.number().nullable(),
  duplicates: z.number().nullable(),
  /** Events past the allowed lateness: dropped and counted. */
  late: z.number().nullable(),
});
export type StreamFreshness = z.infer<typeof StreamFreshness>;

export const EngineFreshness = z.object({
  transformations: z.array(TransformationFreshness),
  streams: z.array(StreamFreshness),
});
export type EngineFreshness = z.infer<typeof EngineFreshness>;

/** Where stream figures are read: the stream engine's Redis and its key prefix. */
export interface StreamLookup {
  redis: () => Promise<Redis>;
  prefix: string;
}

/** The serving process's stream connection (REDIS_URL), with the deployment's empty prefix. */
const defaultStreams: StreamLookup = { redis: streamRedis, prefix: "" };

function engineFreshnessOperation(clock: () => Date, streams: StreamLookup) {
  return defineOperation({
    name: "freshness.engines",
    summary:
      "Per transformation its watermark, last run and how far its inputs are past it; per stream view its consumer lag.",
    kind: "query",
    access: "definitions.read",
    input: EngineFreshnessInput,
    output: EngineFreshness,
    run: async ({ ctx, project: p }) => {
      const now = clock();
      const [t, s] = await Promise.all([
        transformationFreshness(ctx, p),
        streamFreshness(ctx, p, now, streams),
      ]);
      return { transformations: t, streams: s };
    },
  });
}

export const engineFreshnessOp = engineFreshnessOperation(() => new Date(), defaultStreams);

/** engineFreshnessOp.call, as of `now` and reading streams through `streams` when given (tests). */
export function getEngineFreshness({
  ctx,
  input,
  now,
  streams,
}: {
  ctx: Ctx;
  input: z.input<typeof EngineFreshnessInput>;
  now?: Date;
  streams?: StreamLookup;
}): Promise<EngineFreshness> {
  const op =
    now || streams
      ? engineFreshnessOperation(() => now ?? new Date(), streams ?? defaultStreams)
      : engineFreshnessOp;
  return op.call({ ctx, input });
}

async function transformationFreshness(ctx: Ctx, p: ProjectRow): Promise<TransformationFreshness[]> {
  const heads = await ctx.db
    .select({
      id: transformations.id,
      name: transformations.name,
      watermark: transformations.computedUntil,
      outputSourceId: transformations.outputSourceId,
      sources: transformationVersions.sources,
    })
    .from(transformations)
    .innerJoin(
      transformationVersions,
      sql`${transformationVersions.transformationId} = ${transformations.id} and ${transformationVersions.version} = ${transformations.currentVersion}`,
    )
    .where(eq(transformations.projectId, p.id))
    .orderBy(transformations.name);
  if (heads.length === 0) return [];

  // the newest run per transformation, through transformation_runs_transformation_created_idx
  const lastRuns = await ctx.db
    .selectDistinctOn([transformationRuns.transformationId])
    .from(transformationRuns)
    .where(eq(transformationRuns.projectId, p.id))
    .orderBy(transformationRuns.transformationId, desc(transformationRuns.createdAt), transformationRuns.id);
  const lastRunOf = new Map(lastRuns.map((r) => [r.transformationId, r]));
  const scheduleOf = new Map((await transformationNextRuns(ctx, p.id)).map((s) => [s.transformation, s]));
  const sourceIds = new Map(
    (
      await ctx.db
        .select({ id: dataSources.id, name: dataSources.name })
        .from(dataSources)
        .where(eq(dataSources.projectId, p.id))
    ).map((s) => [s.name, s.id]),
  );
  // Source SQL never runs while the page waits: the last background probes, refreshed when old.
  const probes = await loadProbes(ctx, p.id);
  if (await probesStale(ctx, p.id))
    await ctx.jobs.enqueueSourceProbe(p.id).catch((e: unknown) => {
      ctx.log.warn({ err: e, project: p.name }, "could not queue the source probes");
    });
  const newestOf = (sourceId: string | undefined) => {
    const probe = sourceId ? probes.get(sourceId) : undefined;
    return probe?.status === "ok"
      ? { known: true, newest: probe.newestEventTs }
      : { known: false, newest: null };
  };

  return heads.map((h) => {
    let newestInput: Date | null = null;
    const inputsUnknown: string[] = [];
    for (const name of h.sources) {
      const input = newestOf(sourceIds.get(name));
      if (!input.known) inputsUnknown.push(name);
      else if (input.newest && (!newestInput || input.newest > newestInput)) newestInput = input.newest;
    }
    const run = lastRunOf.get(h.id);
    const behindSeconds =
      h.watermark && newestInput
        ? Math.max(0, Math.round((newestInput.getTime() - h.watermark.getTime()) / 1000))
        : null;
    return {
      transformation: h.name,
      status: transformationState({
        lastRunStatus: run?.status ?? null,
        watermark: h.watermark,
        newestInput,
      }),
      watermark: h.watermark,
      newestWritten: newestOf(h.outputSourceId).newest,
      newestInput,
      inputsUnknown,
      behindSeconds,
      schedule: ((s) =>
        s ? { paused: s.paused, nextRunAt: s.nextRunAt, description: s.description } : null)(
        scheduleOf.get(h.name),
      ),
      lastRun: run
        ? {
            id: run.id,
            status: run.status,
            mode: run.mode,
            finishedAt: run.finishedAt,
            createdAt: run.createdAt,
            error: run.error,
          }
        : null,
    };
  });
}

async function streamFreshness(
  ctx: Ctx,
  p: ProjectRow,
  now: Date,
  streams: StreamLookup,
): Promise<StreamFreshness[]> {
  const views = await ctx.db
    .select({ name: streamViews.name, streamKey: streamViews.streamKey })
    .from(streamViews)
    .where(eq(streamViews.projectId, p.id))
    .orderBy(streamViews.name);
  if (views.length === 0) return [];
  const unavailable = (v: (typeof views)[number], error: string): StreamFreshness => ({
    streamView: v.name,
    streamKey: v.streamKey,
    status: "unavailable",
    error,
    lag: null,
    pending: null,
    consumers: null,
    idleMs: null,
    newestEvent: null,
    behindMs: null,
    applied: null,
    duplicates: null,
    late: null,
  });
  // Redis missing or down makes every stream row "unavailable", never the board an error.
  let redis: Redis;
  try {
    redis = await streams.redis();
  } catch (e) {
    return views.map((v) => unavailable(v, safeRedisError(ctx, e)));
  }
  return Promise.all(
    views.map(async (v): Promise<StreamFreshness> => {
      try {
        const view = { project: p.name, name: v.name, streamKey: v.streamKey };
        const [lag, { unread, ...members }] = await Promise.all([
          streamViewLag(redis, streams.prefix, view, now),
          groupConsumers(redis, v.streamKey, groupName(p.name, v.name)),
        ]);
        const waiting = unread ?? lag.lag;
        return {
          streamView: v.name,
          streamKey: v.streamKey,
          status: streamState({ available: true, ...members, lag: waiting, pending: lag.pending }),
          error: null,
          lag: waiting,
          pending: lag.pending,
          ...members,
          newestEvent: lag.watermarkMs === null ? null : new Date(lag.watermarkMs),
          behindMs: lag.behindMs,
          applied: lag.applied,
          duplicates: lag.duplicates,
          late: lag.late,
        };
      } catch (e) {
        return unavailable(v, safeRedisError(ctx, e));
      }
    }),
  );
}

/** The group's consumers and the idle time of the most recently active one (XINFO CONSUMERS). */
async function groupConsumers(
  redis: Redis,
  key: string,
  group: string,
): Promise<{ consumers: number; idleMs: number | null; unread: number | null }> {
  let rows: (string | number)[][];
  try {
    rows = (await redis.xinfo("CONSUMERS", key, group)) as (string | number)[][];
  } catch (e) {
    // No stream yet: nothing waits. No group yet (no consumer ever started): every entry the
    // stream holds waits, which XINFO GROUPS cannot say for a group that does not exist.
    if (e instanceof Error && /no such key/i.test(e.message))
      return { consumers: 0, idleMs: null, unread: null };
    if (e instanceof Error && /NOGROUP/i.test(e.message))
      return { consumers: 0, idleMs: null, unread: await redis.xlen(key) };
    throw e;
  }
  let idleMs: number | null = null;
  for (const row of rows) {
    const i = row.indexOf("idle");
    const idle = i >= 0 ? Number(row[i + 1]) : Number.NaN;
    if (Number.isFinite(idle) && (idleMs === null || idle < idleMs)) idleMs = idle;
  }
  return { consumers: rows.length, idleMs, unread: null };
}

/** What the board says when Redis cannot be read: a domain error's own text, else a fixed one. */
function safeRedisError(ctx: Ctx, e: unknown): string {
  if (e instanceof DomainError) return e.message;
  ctx.log.warn({ err: e }, "stream figures unavailable");
  return "Redis is not answering";
}
