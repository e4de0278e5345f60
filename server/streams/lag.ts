import "server-only";
import type { Redis } from "ioredis";
import { groupName } from "./consumer";
import { createRedisStreamAdapter } from "./redis-adapter";
import { readStreamState, type StreamViewState } from "./tiles";

/**
 * A stream view's freshness figures (the freshness page shows them in a later session): its
 * consumer group's lag (entries not yet delivered; null when Redis cannot tell) and pending
 * entries (delivered, not acknowledged), from XINFO GROUPS, with the view's watermark and counters
 * (applied, duplicates, late) from its state hash.
 */
export interface StreamViewLag extends StreamViewState {
  lag: number | null;
  pending: number;
  /** now − watermark in ms (null before the first event). */
  behindMs: number | null;
}

export async function streamViewLag(
  client: Redis,
  prefix: string,
  view: { project: string; name: string; streamKey: string },
  now: Date = new Date(),
): Promise<StreamViewLag> {
  // XINFO on the caller's connection: the adapter is only borrowed, never closed here
  const adapter = createRedisStreamAdapter({
    key: view.streamKey,
    group: groupName(view.project, view.name),
    consumer: "lag-probe",
    client,
  });
  const [group, state] = await Promise.all([
    adapter.lag().catch((e: unknown) => {
      // no stream yet: nothing to be behind on
      if (e instanceof Error && e.message.includes("no such key")) return { lag: 0, pending: 0 };
      throw e;
    }),
    readStreamState(client, prefix, view.project, view.name),
  ]);
  return {
    ...group,
    ...state,
    behindMs: state.watermarkMs === null ? null : now.getTime() - state.watermarkMs,
  };
}

/** One consumer of a view's group, from XINFO CONSUMERS. */
export interface StreamConsumerInfo {
  name: string;
  pending: number;
  /** ms since the consumer last read or claimed. */
  idleMs: number;
}

/**
 * What the stream view page shows of its consumers: the stream (length, newest entry), the
 * group (absent before a worker first ran: XGROUP CREATE is the worker's), its lag, pending
 * entries, last delivered entry and consumers with their idle time, and the state hash's
 * watermark and counters (applied, duplicates, late events dropped).
 */
export interface StreamViewConsumerLag extends StreamViewState {
  streamExists: boolean;
  streamLength: number;
  /** The id of the newest entry in the stream (null when empty). */
  lastEntryId: string | null;
  group: {
    lag: number | null;
    pending: number;
    lastDeliveredId: string;
    /** The last delivered entry's time (its id's ms part), null for "0-0". */
    lastDeliveredAt: Date | null;
    consumers: StreamConsumerInfo[];
  } | null;
  behindMs: number | null;
}

/** A Redis reply of field/value pairs as a record. */
function pairs(reply: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const a = reply as unknown[];
  for (let i = 0; i + 1 < a.length; i += 2) out[String(a[i])] = a[i + 1];
  return out;
}

/** A stream entry id's time ("<ms>-<seq>"), null for the empty id. */
export function entryIdTime(id: string): Date | null {
  const ms = Number(id.split("-")[0]);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms) : null;
}

export async function streamViewConsumerLag(
  client: Redis,
  prefix: string,
  view: { project: string; name: string; streamKey: string },
  now: Date = new Date(),
): Promise<StreamViewConsumerLag> {
  const group = groupName(view.project, view.name);
  const [exists, length, last, state] = await Promise.all([
    client.exists(view.streamKey),
    client.xlen(view.streamKey),
    client.xrevrange(view.streamKey, "+", "-", "COUNT", 1),
    readStreamState(client, prefix, view.project, view.name),
  ]);
  const streamExists = exists === 1;
  let groupInfo: StreamViewConsumerLag["group"] = null;
  if (streamExists) {
    const groups = ((await client.xinfo("GROUPS", view.streamKey)) as unknown[]).map(pairs);
    const g = groups.find((x) => x.name === group);
    if (g) {
      const consumers = ((await client.xinfo("CONSUMERS", view.streamKey, group)) as unknown[])
        .map(pairs)
        .map((c) => ({ name: String(c.name), pending: Number(c.pending ?? 0), idleMs: Number(c.idle ?? 0) }));
      const lastDeliveredId = String(g["last-delivered-id"] ?? "0-0");
      groupInfo = {
        lag: g.lag === null || g.lag === undefined ? null : Number(g.lag),
        pending: Number(g.pending ?? 0),
        lastDeliveredId,
        lastDeliveredAt: entryIdTime(lastDeliveredId),
        consumers,
      };
    }
  }
  return {
    streamExists,
    streamLength: length,
    lastEntryId: last[0]?.[0] ?? null,
    group: groupInfo,
    ...state,
    behindMs: state.watermarkMs === null ? null : now.getTime() - state.watermarkMs,
  };
}
