import "server-only";
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { StreamViewOutput } from "./schemas";

/**
 * The demo's event producer (`quiver demo-stream`): XADDs events a stream view can read, now-timed,
 * for `entities` entities (join key values 1001, 1002, ...), with a random amount in every column
 * the view aggregates. Paced in ticks of 100 ms at `rate` events per second for `durationSeconds`.
 */
export interface DemoStreamOptions {
  redis: Redis;
  view: StreamViewOutput;
  rate: number;
  durationSeconds: number;
  entities: number;
  signal?: AbortSignal;
  /** Called after each tick with the events sent so far. */
  onTick?: (sent: number) => void;
}

/** One event's fields, as a producer would send them. */
export function demoEventFields(view: StreamViewOutput, entity: number, nowMs: number): string[] {
  const fields: string[] = [];
  if (view.spec.eventIdField) fields.push(view.spec.eventIdField, randomUUID());
  for (const k of view.joinKeys) fields.push(k, String(1001 + entity));
  fields.push(view.spec.timestampField, new Date(nowMs).toISOString());
  const columns = new Set(view.spec.aggregations.filter((a) => a.function !== "count").map((a) => a.column));
  for (const c of columns) fields.push(c, (Math.round(Math.random() * 10_000) / 100).toFixed(2));
  return fields;
}

export async function produceDemoEvents(opts: DemoStreamOptions): Promise<number> {
  const { redis, view } = opts;
  const start = Date.now();
  const end = start + opts.durationSeconds * 1000;
  let sent = 0;
  for (;;) {
    const now = Math.min(Date.now(), end);
    // what the rate owes by now, so a slow tick is made up by the next one
    const n = Math.floor((opts.rate * (now - start)) / 1000) - sent;
    if (n > 0) {
      const pipe = redis.pipeline();
      for (let i = 0; i < n; i++)
        pipe.xadd(
          view.spec.stream.key,
          "*",
          ...demoEventFields(view, Math.floor(Math.random() * opts.entities), Date.now()),
        );
      await pipe.exec();
      sent += n;
      opts.onTick?.(sent);
    }
    if (now >= end || opts.signal?.aborted) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, end - Date.now())));
  }
  return sent;
}
