import "server-only";
import type { Redis } from "ioredis";
import type { StreamLag, StreamMessage, StreamSourceAdapter } from "./adapter";

/** XREADGROUP / XAUTOCLAIM entries: [id, [field, value, ...]] (a deleted entry's fields are null). */
type RawEntry = [string, string[] | null];

function toMessages(entries: readonly RawEntry[]): StreamMessage[] {
  return entries.map(([id, flat]) => {
    const fields: Record<string, string> = {};
    for (let i = 0; flat && i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
    return { id, fields };
  });
}

export interface RedisStreamAdapterOptions {
  /** Stream key. */
  key: string;
  group: string;
  consumer: string;
  /**
   * A connection of the adapter's own: XREADGROUP BLOCK holds it while it waits, so its command
   * timeout must exceed the block time. The adapter quits it on close().
   */
  client: Redis;
}

/** The Redis Streams adapter: consumer groups, XREADGROUP, XACK, XAUTOCLAIM, XINFO GROUPS. */
export function createRedisStreamAdapter(opts: RedisStreamAdapterOptions): StreamSourceAdapter {
  const { key, group, consumer, client } = opts;
  /** XAUTOCLAIM's cursor: a scan of the pending list goes on where the last call stopped. */
  let cursor = "0-0";
  return {
    async ensureGroup() {
      try {
        await client.xgroup("CREATE", key, group, "0", "MKSTREAM");
      } catch (e) {
        if (!(e instanceof Error && e.message.includes("BUSYGROUP"))) throw e;
      }
    },
    async read(max, blockMs) {
      const reply = (await client.xreadgroup(
        "GROUP",
        group,
        consumer,
        "COUNT",
        max,
        "BLOCK",
        blockMs,
        "STREAMS",
        key,
        ">",
      )) as [string, RawEntry[]][] | null;
      return reply?.[0] ? toMessages(reply[0][1]) : [];
    },
    async ack(ids) {
      if (ids.length > 0) await client.xack(key, group, ...ids);
    },
    async claimStale(minIdleMs, max) {
      const reply = (await client.xautoclaim(key, group, consumer, minIdleMs, cursor, "COUNT", max)) as [
        string,
        RawEntry[],
        string[]?,
      ];
      cursor = reply[0];
      // entries deleted from the stream while pending come back with no fields: nothing to apply
      const deleted = reply[1].filter(([, f]) => f === null).map(([id]) => id);
      if (deleted.length > 0) await client.xack(key, group, ...deleted);
      return toMessages(reply[1].filter(([, f]) => f !== null));
    },
    async lag(): Promise<StreamLag> {
      const groups = (await client.xinfo("GROUPS", key)) as (string | number | null)[][];
      for (const g of groups) {
        const info: Record<string, string | number | null> = {};
        for (let i = 0; i + 1 < g.length; i += 2) info[String(g[i])] = g[i + 1] ?? null;
        if (info.name === group)
          return {
            lag: info.lag === null || info.lag === undefined ? null : Number(info.lag),
            pending: Number(info.pending ?? 0),
          };
      }
      return { lag: null, pending: 0 };
    },
    async close() {
      client.disconnect();
    },
  };
}
