import "server-only";
import type { Redis, Result } from "ioredis";
import { dedupeKey, stateKey, tilesKey } from "./keys";
import {
  retentionMs,
  type StreamEngineSpec,
  type StreamEvent,
  tileColumns,
  tileOf,
  windowTiles,
} from "./spec";

/**
 * Tiles: per (view, entity) one hash of partial aggregates per time bucket (tile), updated by one
 * script per event and read into window values at request time (docs/adr/0037).
 *
 * Fields of tile k (decimal): `k|c` events, `k|t` greatest event time (ms); per aggregated column
 * `k|<col>|n` non-null numeric values, `|s` their sum, `|mn` min, `|mx` max, and the column's last
 * non-null value `|lv` (JSON) with its event time `|lt` and id `|li`. `_lo`/`_hi` bound the tiles
 * present, so pruning touches only those.
 */

/**
 * Applies a run of events, each atomically and in order (the script runs alone on the server, so
 * a crash never half-applies an event). KEYS: the view's state, then per event its tiles hash and
 * dedupe mark. ARGV: tile ms, lateness ms, retention ms, column count, the column names, then per
 * event: ms, id, and per column a number ("" = none) and a JSON value ("" = null). Returns per
 * event 1 applied, 0 duplicate of an applied event, 2 late (dropped), 3 duplicate of a late one
 * (the mark says which, so a redelivered batch is appended offline exactly as it was applied).
 *
 * Per event: the mark first (a replay is a duplicate even when it is late), then lateness against the
 * watermark before this event, then the watermark, the tile, and pruning of tiles older than the
 * retention. Numbers are stored with %.17g, which a double reads back exactly.
 */
const APPLY_EVENT = `
local function fmt(x) return string.format('%.17g', x) end
local function idGreater(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end
local tileMs = tonumber(ARGV[1])
local lateMs = tonumber(ARGV[2])
local keepMs = tonumber(ARGV[3])
local ncols = tonumber(ARGV[4])
local cols = {}
for i = 1, ncols do cols[i] = ARGV[4 + i] end
local SK = KEYS[1]

local function applyOne(TK, MK, base)
  local ts = tonumber(ARGV[base + 1])
  local id = ARGV[base + 2]
  if not redis.call('SET', MK, '1', 'NX', 'PX', keepMs) then
    redis.call('HINCRBY', SK, 'duplicates', 1)
    if redis.call('GET', MK) == 'late' then return 3 end
    return 0
  end
  local wmS = redis.call('HGET', SK, 'wm')
  local wm = ts
  if wmS then
    wm = tonumber(wmS)
    if ts < wm - lateMs then
      redis.call('HINCRBY', SK, 'late', 1)
      redis.call('SET', MK, 'late', 'PX', keepMs)
      return 2
    end
    if ts > wm then wm = ts end
  end
  redis.call('HSET', SK, 'wm', string.format('%.17g', wm))
  redis.call('HINCRBY', SK, 'applied', 1)


  local k = math.floor(ts / tileMs)
  local cutoff = math.floor((wm - keepMs) / tileMs)
  local p = k .. '|'
  -- one read of everything this event compares against: bounds, the tile's count and newest time,
  -- and per column n, sum, min, max and the last value's time and id
  local names = {'_lo', '_hi', p .. 'c', p .. 't'}
  for i = 0, ncols - 1 do
    local q = p .. cols[i + 1] .. '|'
    names[#names + 1] = q .. 'n'
    names[#names + 1] = q .. 's'
    names[#names + 1] = q .. 'mn'
    names[#names + 1] = q .. 'mx'
    names[#names + 1] = q .. 'lt'
    names[#names + 1] = q .. 'li'
  end
  local cur = redis.call('HMGET', TK, unpack(names))
  local lo = tonumber(cur[1] or '')
  local hi = tonumber(cur[2] or '')
  if lo == nil or hi == nil or cutoff > hi then
    -- nothing stored, or everything stored is past the retention
    if lo ~= nil then redis.call('DEL', TK) end
    cur = {}
    lo = k
    hi = k
  else
    local fields = {}
    while lo < cutoff and lo <= hi do
      local pp = lo .. '|'
      fields[#fields + 1] = pp .. 'c'
      fields[#fields + 1] = pp .. 't'
      for i = 0, ncols - 1 do
        local q = pp .. cols[i + 1] .. '|'
        for _, f in ipairs({'n', 's', 'mn', 'mx', 'lv', 'lt', 'li'}) do fields[#fields + 1] = q .. f end
      end
      if #fields >= 4000 then
        redis.call('HDEL', TK, unpack(fields))
        fields = {}
      end
      lo = lo + 1
    end
    if #fields > 0 then redis.call('HDEL', TK, unpack(fields)) end
    if k < lo then lo = k end
    if k > hi then hi = k end
  end

  local out = {'_lo', fmt(lo), '_hi', fmt(hi), p .. 'c', fmt((tonumber(cur[3] or '') or 0) + 1)}
  local t = tonumber(cur[4] or '')
  if t == nil or ts > t then
    out[#out + 1] = p .. 't'
    out[#out + 1] = fmt(ts)
  end
  for i = 0, ncols - 1 do
    local q = p .. cols[i + 1] .. '|'
    local num = ARGV[base + 3 + 2 * i]
    local json = ARGV[base + 4 + 2 * i]
    local b = 4 + 6 * i
    if num ~= '' then
      local v = tonumber(num)
      local mn = tonumber(cur[b + 3] or '')
      local mx = tonumber(cur[b + 4] or '')
      out[#out + 1] = q .. 'n'
      out[#out + 1] = fmt((tonumber(cur[b + 1] or '') or 0) + 1)
      out[#out + 1] = q .. 's'
      out[#out + 1] = fmt((tonumber(cur[b + 2] or '') or 0) + v)
      if mn == nil or v < mn then
        out[#out + 1] = q .. 'mn'
        out[#out + 1] = fmt(v)
      end
      if mx == nil or v > mx then
        out[#out + 1] = q .. 'mx'
        out[#out + 1] = fmt(v)
      end
    end
    if json ~= '' then
      local lt = tonumber(cur[b + 5] or '')
      local li = cur[b + 6] or ''
      if lt == nil or ts > lt or (ts == lt and idGreater(id, li)) then
        out[#out + 1] = q .. 'lv'
        out[#out + 1] = json
        out[#out + 1] = q .. 'lt'
        out[#out + 1] = fmt(ts)
        out[#out + 1] = q .. 'li'
        out[#out + 1] = id
      end
    end
  end
  redis.call('HSET', TK, unpack(out))
  redis.call('PEXPIRE', TK, keepMs)
  return 1
end

local codes = {}
local stride = 2 + 2 * ncols
local n = (#KEYS - 1) / 2
for e = 0, n - 1 do
  codes[e + 1] = applyOne(KEYS[2 + 2 * e], KEYS[3 + 2 * e], 4 + ncols + e * stride)
end
return codes`;

declare module "ioredis" {
  interface RedisCommander<Context> {
    quiverStreamApply(numKeys: number, ...keysThenArgs: (string | number)[]): Result<number[], Context>;
  }
}

/** What applying events did: counted once, replays refused, and too late to count. */
export interface ApplyResult {
  applied: number;
  duplicates: number;
  late: number;
  /**
   * The events serving counts, in order: applied now or before (a replay of an applied event).
   * What the offline store keeps, so training sets see what serving saw.
   */
  counted: StreamEvent[];
}

/** A field value as the engine reads it: a decimal number, a string, or null (absent or empty). */
export function parseFieldValue(raw: string | undefined): number | string | null {
  if (raw === undefined || raw === "") return null;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) {
    const n = Number(raw);
    if (Number.isFinite(n)) return n;
  }
  return raw;
}

const registered = new WeakSet<Redis>();

/**
 * Events per script call: amortises the call's own cost (about half of it for one event) while a
 * call blocks other clients of the Redis for a few ms at most.
 */
const EVENTS_PER_CALL = 32;

/** The engine's script, registered once per client. */
export function registerStreamScripts(client: Redis): void {
  if (registered.has(client)) return;
  client.defineCommand("quiverStreamApply", { lua: APPLY_EVENT });
  registered.add(client);
}

/**
 * Applies events in arrival order, each atomically, EVENTS_PER_CALL per script call, all in one
 * pipeline (one round trip). A crash between calls leaves every event either applied with its mark or not at all, so
 * redelivery finishes the batch without double counting.
 */
export async function applyEvents(
  client: Redis,
  prefix: string,
  spec: StreamEngineSpec,
  events: readonly StreamEvent[],
): Promise<ApplyResult> {
  registerStreamScripts(client);
  const result: ApplyResult = { applied: 0, duplicates: 0, late: 0, counted: [] };
  if (events.length === 0) return result;
  const columns = tileColumns(spec);
  const tileMs = spec.tileSeconds * 1000;
  const lateMs = spec.allowedLatenessSeconds * 1000;
  const keepMs = retentionMs(spec);
  const state = stateKey(prefix, spec.project, spec.view);
  const pipe = client.pipeline();
  for (let start = 0; start < events.length; start += EVENTS_PER_CALL) {
    const run = events.slice(start, start + EVENTS_PER_CALL);
    const keys: string[] = [state];
    const args: (string | number)[] = [tileMs, lateMs, keepMs, columns.length, ...columns];
    for (const e of run) {
      keys.push(
        tilesKey(prefix, spec.project, spec.view, e.entityKey),
        dedupeKey(prefix, spec.project, spec.view, e.entityKey, e.id),
      );
      args.push(e.tsMs, e.id);
      for (const c of columns) {
        const v = parseFieldValue(e.values[c]);
        args.push(typeof v === "number" ? String(v) : "", v === null ? "" : JSON.stringify(v));
      }
    }
    (pipe as unknown as Redis).quiverStreamApply(keys.length, ...keys, ...args);
  }
  const replies = (await pipe.exec()) ?? [];
  let i = 0;
  for (const [err, codes] of replies) {
    if (err) throw err;
    for (const code of codes as number[]) {
      const e = events[i++] as StreamEvent;
      if (code === 1 || code === 0) result.counted.push(e);
      if (code === 1) result.applied++;
      else if (code === 0 || code === 3) result.duplicates++;
      else result.late++;
    }
  }
  return result;
}

/** One feature of one entity at read time: value (null when the window holds no value) and its newest event. */
export interface WindowValue {
  value: number | string | null;
  /** The greatest event time among the window's events (null: the window is empty). */
  eventTsMs: number | null;
}

/** Per entity key (in the order asked): null when no tile is stored, else one value per aggregation. */
export type WindowValues = (Record<string, WindowValue> | null)[];

/**
 * The window values of `entityKeys` at read time `atMs`, computed from the stored tiles (one
 * pipeline of HGETALL, one round trip): count and sum 0, avg/min/max/last null over a window with
 * no value, so a count falls back to 0 when events stop. An entity with no stored tile is null
 * (NOT_FOUND for the caller).
 */
export async function readWindows(
  client: Redis,
  prefix: string,
  spec: StreamEngineSpec,
  entityKeys: readonly string[],
  atMs: number,
): Promise<WindowValues> {
  if (entityKeys.length === 0) return [];
  const pipe = client.pipeline();
  for (const k of entityKeys) pipe.hgetall(tilesKey(prefix, spec.project, spec.view, k));
  const replies = (await pipe.exec()) ?? [];
  return replies.map(([err, hash]) => {
    if (err) throw err;
    const h = hash as Record<string, string>;
    if (h._lo === undefined) return null;
    return windowValuesOfTiles(spec, h, atMs);
  });
}

/** Window values from one entity's tiles hash (pure: the read's arithmetic). */
export function windowValuesOfTiles(
  spec: StreamEngineSpec,
  h: Record<string, string>,
  atMs: number,
): Record<string, WindowValue> {
  const out: Record<string, WindowValue> = {};
  const lo = Number(h._lo);
  const hi = Number(h._hi);
  for (const a of spec.aggregations) {
    const { first, last } = windowTiles(a, spec.tileSeconds, atMs);
    let count = 0;
    let n = 0;
    let sum = 0;
    let min: number | null = null;
    let max: number | null = null;
    let lastV: string | undefined;
    let lastT = Number.NEGATIVE_INFINITY;
    let lastId = "";
    let newest: number | null = null;
    for (let k = Math.max(first, lo); k <= Math.min(last, hi); k++) {
      const c = h[`${k}|c`];
      if (c === undefined) continue;
      count += Number(c);
      const t = Number(h[`${k}|t`]);
      if (newest === null || t > newest) newest = t;
      if (a.function === "count") continue;
      const q = `${k}|${a.column}|`;
      const tn = h[`${q}n`];
      if (tn !== undefined) {
        n += Number(tn);
        sum += Number(h[`${q}s`]);
        const mn = Number(h[`${q}mn`]);
        const mx = Number(h[`${q}mx`]);
        if (min === null || mn < min) min = mn;
        if (max === null || mx > max) max = mx;
      }
      const lv = h[`${q}lv`];
      if (lv !== undefined) {
        const lt = Number(h[`${q}lt`]);
        const li = h[`${q}li`] ?? "";
        if (lt > lastT || (lt === lastT && Buffer.compare(Buffer.from(li), Buffer.from(lastId)) > 0)) {
          lastV = lv;
          lastT = lt;
          lastId = li;
        }
      }
    }
    let value: number | string | null;
    switch (a.function) {
      case "count":
        value = count;
        break;
      case "sum":
        value = sum;
        break;
      case "avg":
        value = n === 0 ? null : sum / n;
        break;
      case "min":
        value = min;
        break;
      case "max":
        value = max;
        break;
      case "last":
        value = lastV === undefined ? null : (JSON.parse(lastV) as number | string);
        break;
    }
    out[a.name] = { value, eventTsMs: newest };
  }
  return out;
}

/** The view's watermark (greatest event time applied, ms) and counters. */
export interface StreamViewState {
  watermarkMs: number | null;
  applied: number;
  duplicates: number;
  late: number;
}

export async function readStreamState(
  client: Redis,
  prefix: string,
  project: string,
  view: string,
): Promise<StreamViewState> {
  const h = await client.hgetall(stateKey(prefix, project, view));
  return {
    watermarkMs: h.wm === undefined ? null : Number(h.wm),
    applied: Number(h.applied ?? 0),
    duplicates: Number(h.duplicates ?? 0),
    late: Number(h.late ?? 0),
  };
}

export { tileOf };
