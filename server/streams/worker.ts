import "server-only";
import { Redis } from "ioredis";
import type { Ctx } from "../core/context";
import { consumerName, type EventSink, groupName, StreamConsumer, type StreamConsumerSpec } from "./consumer";
import { createRedisStreamAdapter } from "./redis-adapter";
import { allStreamViews } from "./registry";
import type { StreamViewOutput } from "./schemas";

/**
 * The stream worker (`quiver stream-worker`, docs/adr/0037): one consumer per stream view, all in
 * this process, each in its view's consumer group under this process's consumer name (host-pid).
 * More workers on more machines split each view's stream (Redis hands each entry to one consumer
 * of the group); a worker that dies leaves its entries pending until another claims them.
 * The registry is read again every `refreshMs`: new views start, deleted ones stop, a new version
 * restarts its consumer.
 */
export interface StreamWorkerOptions {
  ctxFor: () => Ctx;
  redisUrl: string;
  /** Key prefix of the online store (empty in a deployment; tests use their own). */
  prefix?: string;
  refreshMs?: number;
  claimIdleMs?: number;
  batchSize?: number;
  /** Where each view's counted events also go (the offline append), built once per view version. */
  sinkFor?: (view: StreamViewOutput & { project: string }) => EventSink | undefined;
  /** Appended to the consumer name (several workers in one process: tests). */
  consumerSuffix?: string;
}

export interface StreamWorker {
  /** The running consumers by "project:view". */
  consumers(): Map<string, StreamConsumer>;
  /** Reads the registry now and starts or stops consumers to match. */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

export function consumerSpecOf(v: StreamViewOutput & { project: string }): StreamConsumerSpec {
  return {
    project: v.project,
    view: v.name,
    tileSeconds: v.spec.tileSeconds,
    allowedLatenessSeconds: v.spec.allowedLatenessSeconds,
    aggregations: v.spec.aggregations,
    joinKeys: v.joinKeys,
    timestampField: v.spec.timestampField,
    eventIdField: v.spec.eventIdField,
  };
}

interface Running {
  version: number;
  consumer: StreamConsumer;
  abort: AbortController;
  done: Promise<void>;
  close: () => Promise<void>;
}

export async function startStreamWorker(opts: StreamWorkerOptions): Promise<StreamWorker> {
  const prefix = opts.prefix ?? "";
  const log = opts.ctxFor().log.child({ component: "stream-worker" });
  // the engine's connection: non-blocking script calls of every consumer
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
  const running = new Map<string, Running>();
  let stopped = false;

  const stopOne = async (key: string) => {
    const r = running.get(key);
    if (!r) return;
    running.delete(key);
    // the loop ends after its batch (acknowledged) or its blocking read (at most blockMs)
    r.abort.abort();
    await r.done;
    await r.close();
  };

  const refresh = async () => {
    const views = await allStreamViews(opts.ctxFor());
    const wanted = new Map(views.map((v) => [`${v.project}:${v.name}`, v]));
    for (const key of [...running.keys()])
      if (wanted.get(key)?.version !== running.get(key)?.version) await stopOne(key);
    for (const [key, v] of wanted) {
      if (running.has(key) || stopped) continue;
      const client = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1 });
      client.on("error", () => {});
      const adapter = createRedisStreamAdapter({
        key: v.spec.stream.key,
        group: groupName(v.project, v.name),
        consumer: consumerName(opts.consumerSuffix),
        client,
      });
      const consumer = new StreamConsumer({
        spec: consumerSpecOf(v),
        adapter,
        redis,
        prefix,
        sink: opts.sinkFor?.(v),
        log,
        batchSize: opts.batchSize,
        claimIdleMs: opts.claimIdleMs,
      });
      const abort = new AbortController();
      const done = consumer.run(abort.signal);
      running.set(key, { version: v.version, consumer, abort, done, close: () => adapter.close() });
      log.info(
        { project: v.project, view: v.name, version: v.version, stream: v.spec.stream.key },
        "stream consumer started",
      );
    }
  };

  await refresh();
  const timer = setInterval(() => {
    refresh().catch((e: unknown) => log.error({ err: e }, "stream worker refresh failed"));
  }, opts.refreshMs ?? 30_000);
  timer.unref();

  return {
    consumers: () => new Map([...running].map(([k, r]) => [k, r.consumer])),
    refresh,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all([...running.keys()].map(stopOne));
      redis.disconnect();
    },
  };
}
