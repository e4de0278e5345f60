import "server-only";
import type { Redis, Result } from "ioredis";
import { masters, type RedisClient, whenReady } from "./redis-client";
import { groupByNode } from "./redis-cluster";
import { featureList, fpHex, RowWriter } from "./redis-codec";
import { featureListKey, layoutKey, rowPattern, TS_FIELD } from "./redis-keys";

/**
 * Rewrites every row of a prefix still in the legacy hash layout (one hash per row, JSON per
 * field, `_ts` in µs) to the string layout of redis-codec.ts (docs/adr/0024). For the
 * `quiver online migrate` command.
 *
 * - SCAN (TYPE hash, MATCH `<prefix>q:*`) on every master of a cluster, or the one Redis.
 * - Each hash is read, encoded, and replaced by a script only if it is still that same hash (every
 *   field equal): a write that landed meanwhile (a string now, or a newer hash from a process not
 *   yet upgraded) is never overwritten; a changed hash is read again and retried.
 * - Resumable: progress carries each master's SCAN cursor (report it through onProgress, pass it
 *   back as `resume`); running it again from scratch is harmless, converted keys are strings.
 * - After a complete pass that left nothing behind, sets the prefix's layout flag so readers
 *   switch to MGET. Run it once every process writes the new layout.
 */
export interface MigrateProgress {
  /** Legacy hashes seen. */
  scanned: number;
  /** Rewritten to the new layout. */
  converted: number;
  /** Gone or already converted by a writer between SCAN and rewrite. */
  replacedMeanwhile: number;
  /** Hashes that are no row (no `_ts`, or a value that is not JSON): left as they are. */
  invalid: number;
  /** Hashes that kept changing between read and rewrite: left for the next run. */
  leftBehind: number;
  /** SCAN cursor per master (`host:port`); "0" once its pass is complete. */
  cursors: Record<string, string>;
  /** Every master's pass is complete. */
  done: boolean;
}

export interface MigrateOptions {
  prefix?: string;
  /** Keys per SCAN step. */
  count?: number;
  /** Cursors of an earlier run's last progress report. */
  resume?: Record<string, string>;
  onProgress?: (p: MigrateProgress) => void | Promise<void>;
}

/**
 * KEYS[1]: a row key; ARGV[1]: its new-layout value; ARGV[2..]: field, value pairs of the hash as
 * it was read. 1: replaced; 0: not a hash any more (nothing to do); -1: the hash changed.
 */
const REPLACE_IF_UNCHANGED = `
if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then return 0 end
if redis.call('HLEN', KEYS[1]) * 2 ~= #ARGV - 1 then return -1 end
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) ~= ARGV[i + 1] then return -1 end
end
redis.call('SET', KEYS[1], ARGV[1])
return 1`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    quiverOnlineMigrateRow(key: string, row: Buffer, ...fieldsAndValues: string[]): Result<number, Context>;
  }
}

const RETRIES = 5;

export async function migrateLegacyOnlineRows(
  client: RedisClient,
  opts: MigrateOptions = {},
): Promise<MigrateProgress> {
  const prefix = opts.prefix ?? "";
  const count = opts.count ?? 500;
  let lastError: Error | undefined;
  client.on("error", (e: Error) => {
    lastError = e;
  });
  await whenReady(client, () => lastError);
  client.defineCommand("quiverOnlineMigrateRow", { numberOfKeys: 1, lua: REPLACE_IF_UNCHANGED });
  const progress: MigrateProgress = {
    scanned: 0,
    converted: 0,
    replacedMeanwhile: 0,
    invalid: 0,
    leftBehind: 0,
    cursors: {},
    done: false,
  };
  const nodes = masters(client);
  if (nodes.length === 0) throw new Error("Redis names no master to migrate");
  for (const node of nodes) progress.cursors[nodeName(node)] = opts.resume?.[nodeName(node)] ?? "";
  const registered = new Set<number>();

  for (const node of nodes) {
    const name = nodeName(node);
    let cursor = progress.cursors[name] || "0";
    if (progress.cursors[name] === "0") continue; // finished in the run being resumed
    do {
      const [next, keys] = await node.scan(
        cursor,
        "MATCH",
        rowPattern(prefix),
        "COUNT",
        count,
        "TYPE",
        "hash",
      );
      progress.scanned += keys.length;
      let pending = keys;
      for (let attempt = 0; pending.length > 0 && attempt < RETRIES; attempt++)
        pending = await convert(pending);
      progress.leftBehind += pending.length;
      cursor = next;
      progress.cursors[name] = cursor;
      await opts.onProgress?.({ ...progress, cursors: { ...progress.cursors } });
    } while (cursor !== "0");
  }
  progress.done = true;
  if (progress.leftBehind === 0) await client.set(layoutKey(prefix), "2");
  await opts.onProgress?.({ ...progress, cursors: { ...progress.cursors } });
  return progress;

  /** Reads, encodes and replaces hashes; returns the keys that changed meanwhile. */
  async function convert(keys: string[]): Promise<string[]> {
    const read = client.pipeline();
    for (const k of keys) read.call("HGETALL", k);
    const hashes = ((await read.exec()) ?? []).map(([err, reply]) => {
      if (err) throw err;
      return reply as string[];
    });
    const writer = new RowWriter();
    const work: { key: string; row: Buffer; flat: string[] }[] = [];
    const lists = new Map<number, ReturnType<typeof featureList>>();
    hashes.forEach((flat, i) => {
      const key = keys[i] as string;
      if (flat.length === 0) {
        progress.replacedMeanwhile++;
        return;
      }
      const values: Record<string, unknown> = {};
      let ts: number | undefined;
      try {
        for (let f = 0; f < flat.length; f += 2) {
          const field = flat[f] as string;
          const v = flat[f + 1] as string;
          if (field === TS_FIELD) ts = Number(v) / 1000;
          else values[field] = JSON.parse(v);
        }
      } catch {
        ts = undefined;
      }
      if (ts === undefined || !Number.isFinite(ts)) {
        progress.invalid++;
        return;
      }
      const list = featureList(Object.keys(values).sort());
      lists.set(list.fp, list);
      work.push({ key, row: writer.row(ts, list, values), flat });
    });
    for (const list of lists.values()) {
      if (registered.has(list.fp)) continue;
      const key = featureListKey(prefix, fpHex(list.fp));
      const before = (await client.call("SET", key, list.json, "NX", "GET")) as string | null;
      if (before !== null && before !== list.json)
        throw new Error(`feature list fingerprint ${fpHex(list.fp)} collides: ${key} holds ${before}`);
      registered.add(list.fp);
    }
    const changed: string[] = [];
    await Promise.all(
      groupByNode(
        client,
        work.map((w) => w.key),
      ).map(async (group) => {
        const p = client.pipeline();
        for (const i of group.indexes) {
          const w = work[i];
          if (w) p.quiverOnlineMigrateRow(w.key, w.row, ...w.flat);
        }
        const res = (await p.exec()) ?? [];
        res.forEach(([err, reply], c) => {
          if (err) throw err;
          const w = work[group.indexes[c] as number];
          if (reply === 1) progress.converted++;
          else if (reply === 0) progress.replacedMeanwhile++;
          else if (w) changed.push(w.key);
        });
      }),
    );
    return changed;
  }
}

function nodeName(node: Redis): string {
  return `${node.options.host ?? "localhost"}:${node.options.port ?? 6379}`;
}
