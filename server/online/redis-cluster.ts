import "server-only";
import type { Cluster } from "ioredis";
import { isCluster, type RedisClient } from "./redis-client";

/**
 * Routing for Redis Cluster. ioredis v5 sends a Cluster pipeline to one node only: every key in
 * it must be served by the same set of nodes (its check is per "slots allocation group": master
 * and replicas of the slot), else the pipeline is refused. So the store groups a request's keys by
 * that group and sends one pipeline per group, in parallel.
 */

const SLOTS = 16384;

/** CRC16/XMODEM, as Redis Cluster hashes keys. */
const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

function crc16(s: string, start: number, end: number): number {
  let crc = 0;
  const bytes = Buffer.from(s.slice(start, end), "utf8");
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ (CRC_TABLE[((crc >> 8) ^ b) & 0xff] as number);
  return crc;
}

/** The cluster slot of a key: its hash tag (first non-empty `{...}`) or the whole key. */
export function keySlot(key: string): number {
  const open = key.indexOf("{");
  if (open >= 0) {
    const close = key.indexOf("}", open + 1);
    if (close > open + 1) return crc16(key, open + 1, close) % SLOTS;
  }
  return crc16(key, 0, key.length) % SLOTS;
}

/** One node's share of a request: positions in the caller's key array, and the keys' slots. */
export interface NodeGroup {
  /** Indexes into the keys given to groupByNode. */
  indexes: number[];
  slots: number[];
}

/**
 * Splits keys by the node (slots allocation group) that serves them. A single Redis is one group
 * holding every key. Keys whose slot the cluster's map does not know yet go to one group of
 * their own (ioredis then sends that pipeline to the slot's node or fails it).
 */
export function groupByNode(client: RedisClient, keys: readonly string[]): NodeGroup[] {
  if (!isCluster(client)) return [{ indexes: keys.map((_, i) => i), slots: [] }];
  const slots = (client as Cluster).slots;
  const groups = new Map<string, NodeGroup>();
  keys.forEach((key, i) => {
    const slot = keySlot(key);
    const id = slots[slot]?.join(";") ?? "";
    let g = groups.get(id);
    if (!g) {
      g = { indexes: [], slots: [] };
      groups.set(id, g);
    }
    g.indexes.push(i);
    g.slots.push(slot);
  });
  return [...groups.values()];
}
