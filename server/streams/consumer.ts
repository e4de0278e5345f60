import "server-only";
import os from "node:os";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { entityKey } from "../online/entity-key";
import type { StreamMessage, StreamSourceAdapter } from "./adapter";
import type { StreamEngineSpec, StreamEvent } from "./spec";
import { applyEvents } from "./tiles";

/** A stream view as its consumer sees it: the engine spec and where the events' parts are. */
export interface StreamConsumerSpec extends StreamEngineSpec {
  /** Join keys, each read from the event field of the same name. */
  joinKeys: string[];
  timestampField: string;
  /** The producer's event id field; absent: the stream entry id is the event id. */
  eventIdField?: string | null;
}

/** Where the events of a batch also go once applied (the offline append, offline-append.ts). */
export type EventSink = (events: readonly StreamEvent[]) => Promise<void>;

/** The consumer group of a view: one per view, so every view sees every event. */
export function groupName(project: string, view: string): string {
  return `quiver:${project}:${view}`;
}

/** This process's consumer name: host and pid, so a restart is a new consumer and the old one's pending entries are claimed. */
export function consumerName(suffix = ""): string {
  return `${os.hostname()}-${process.pid}${suffix}`;
}

/**
 * An event time: integer milliseconds since the epoch, or an ISO 8601 time with a zone (Z or an
 * offset); anything else is null.
 */
export function parseEventTime(raw: string | undefined): number | null {
  if (raw === undefined || raw === "") return null;
  if (/^\d{1,16}$/.test(raw)) return Number(raw);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/i.test(raw)) return null;
  const ms = Date.parse(raw);
  return Number.isFinite(ms) ? ms : null;
}

/** A message as an event, or why it is not one (missing join key or unreadable time). */
export function parseMessage(spec: StreamConsumerSpec, m: StreamMessage): StreamEvent | string {
  const keys: Record<string, string> = {};
  for (const k of spec.joinKeys) {
    const v = m.fields[k];
    if (v === undefined || v === "") return `join key ${k} is missing`;
    keys[k] = v;
  }
  const tsMs = parseEventTime(m.fields[spec.timestampField]);
  if (tsMs === null) return `${spec.timestampField} is not an event time`;
  const id = spec.eventIdField ? m.fields[spec.eventIdField] : m.id;
  if (!id) return `event id ${spec.eventIdField} is missing`;
  return { id, entityKey: entityKey(keys), tsMs, values: m.fields };
}

export interface ConsumerStats {
  /** Messages acknowledged (every one of them processed). */
  messages: number;
  applied: number;
  duplicates: number;
  late: number;
  /** Messages that were not events (acknowledged and skipped, so they cannot block the group). */
  invalid: number;
  /** Messages taken over from a consumer that stopped without acknowledging them. */
  claimed: number;
}

export interface StreamConsumerOptions {
  spec: StreamConsumerSpec;
  adapter: StreamSourceAdapter;
  /** The engine's connection (non-blocking commands), shared by the process's consumers. */
  redis: Redis;
  prefix: string;
  sink?: EventSink;
  log?: Logger;
  batchSize?: number;
  blockMs?: number;
  /** Pending entries idle this long belong to a dead consumer and are claimed. */
  claimIdleMs?: number;
}

/**
 * One view's consumer: reads a batch (first what dead consumers left pending, then new messages),
 * applies it (tiles: idempotent, one script per event), appends it offline, then acknowledges it.
 * A crash anywhere before the ack redelivers the batch; applying it again changes nothing.
 */
export class StreamConsumer {
  readonly stats: ConsumerStats = { messages: 0, applied: 0, duplicates: 0, late: 0, invalid: 0, claimed: 0 };
  private readonly batchSize: number;
  private readonly blockMs: number;
  private readonly claimIdleMs: number;
  private lastClaim = 0;
  /** The batch in hand until it is acknowledged (retried by the next step after a failure). */
  private unfinished: readonly StreamMessage[] = [];

  constructor(readonly opts: StreamConsumerOptions) {
    this.batchSize = opts.batchSize ?? 500;
    this.blockMs = opts.blockMs ?? 1000;
    this.claimIdleMs = opts.claimIdleMs ?? 30_000;
  }

  /** One batch: stale pending entries when it is time to look, else new ones. Returns the messages processed. */
  async step(): Promise<number> {
    // a batch whose apply, append or ack failed is still delivered to this consumer: finish it first
    if (this.unfinished.length > 0) return this.process(this.unfinished);
    const now = Date.now();
    if (now - this.lastClaim >= Math.min(this.claimIdleMs, 5_000)) {
      this.lastClaim = now;
      const stale = await this.opts.adapter.claimStale(this.claimIdleMs, this.batchSize);
      if (stale.length > 0) {
        this.stats.claimed += stale.length;
        this.lastClaim = 0; // more may be waiting
        return this.process(stale);
      }
    }
    return this.process(await this.opts.adapter.read(this.batchSize, this.blockMs));
  }

  async process(messages: readonly StreamMessage[]): Promise<number> {
    if (messages.length === 0) return 0;
    this.unfinished = messages;
    const { spec, redis, prefix, sink, adapter, log } = this.opts;
    const events: StreamEvent[] = [];
    for (const m of messages) {
      const e = parseMessage(spec, m);
      if (typeof e === "string") {
        this.stats.invalid++;
        log?.warn({ view: spec.view, entry: m.id, reason: e }, "stream entry skipped");
      } else events.push(e);
    }
    const r = await applyEvents(redis, prefix, spec, events);
    if (sink) await sink(r.counted);
    await adapter.ack(messages.map((m) => m.id));
    this.unfinished = [];
    this.stats.messages += messages.length;
    this.stats.applied += r.applied;
    this.stats.duplicates += r.duplicates;
    this.stats.late += r.late;
    return messages.length;
  }

  /** Steps until the signal aborts; a failing step is logged and retried after a pause. */
  async run(signal: AbortSignal): Promise<void> {
    await this.opts.adapter.ensureGroup();
    let backoff = 100;
    while (!signal.aborted) {
      try {
        await this.step();
        backoff = 100;
      } catch (e) {
        if (signal.aborted) break;
        this.opts.log?.error({ err: e, view: this.opts.spec.view }, "stream consumer step failed");
        await new Promise((resolve) => setTimeout(resolve, backoff));
        backoff = Math.min(backoff * 2, 5_000);
      }
    }
  }
}
