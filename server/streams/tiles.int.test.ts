import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisUrlOrSkip } from "../../test/db";
import { entityKey } from "../online/entity-key";
import { deleteByPrefix } from "../online/test-redis";
import { dedupeKey, tilesKey } from "./keys";
import type { StreamEngineSpec, StreamEvent } from "./spec";
import { applyEvents, readStreamState, readWindows } from "./tiles";

const redisUrl = redisUrlOrSkip();
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const driver = entityKey({ driver_id: 7 });

const spec = (view: string): StreamEngineSpec => ({
  project: "p",
  view,
  tileSeconds: 60,
  allowedLatenessSeconds: 60,
  aggregations: [
    { name: "trips_5m", column: "", function: "count", windowSeconds: 300, kind: "sliding" },
    { name: "fare_sum_5m", column: "fare", function: "sum", windowSeconds: 300, kind: "sliding" },
    { name: "fare_avg_5m", column: "fare", function: "avg", windowSeconds: 300, kind: "sliding" },
  ],
});
const ev = (id: string, s: number, fare?: string): StreamEvent => ({
  id,
  entityKey: driver,
  tsMs: T0 + s * 1000,
  values: fare === undefined ? {} : { fare },
});

describe.skipIf(!redisUrl)("stream tiles on Redis", () => {
  let client: Redis;
  const prefix = `test:streams:${randomBytes(4).toString("hex")}:`;
  beforeAll(() => {
    client = new Redis(redisUrl as string, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await deleteByPrefix(client, prefix);
    client.disconnect();
  });

  it("counts by hand-computed windows and falls back to 0 when events stop", async () => {
    const s = spec("fallback");
    const r = await applyEvents(client, prefix, s, [ev("a", 0, "10"), ev("b", 90, "20"), ev("c", 150, "x")]);
    expect(r).toMatchObject({ applied: 3, duplicates: 0, late: 0 });
    const at = async (sec: number) => (await readWindows(client, prefix, s, [driver], T0 + sec * 1000))[0];
    // tiles: a in 0, b in 1, c in 2; at 200 s (tile 3) the 5-minute window holds tiles -1..3
    expect(await at(200)).toEqual({
      trips_5m: { value: 3, eventTsMs: T0 + 150_000 },
      fare_sum_5m: { value: 30, eventTsMs: T0 + 150_000 },
      fare_avg_5m: { value: 15, eventTsMs: T0 + 150_000 },
    });
    // at 330 s (tile 5: tiles 1..5) a has left the window
    expect((await at(330))?.trips_5m?.value).toBe(2);
    // at 480 s (tile 8: tiles 4..8) nothing is left: count and sum 0, avg null
    expect(await at(480)).toEqual({
      trips_5m: { value: 0, eventTsMs: null },
      fare_sum_5m: { value: 0, eventTsMs: null },
      fare_avg_5m: { value: null, eventTsMs: null },
    });
    // an entity never seen is null (NOT_FOUND)
    expect(await readWindows(client, prefix, s, [entityKey({ driver_id: 8 })], T0)).toEqual([null]);
  });

  it("refuses replays, drops and counts events later than the lateness, and expires marks", async () => {
    const s = spec("late");
    const first = await applyEvents(client, prefix, s, [
      ev("a", 600),
      ev("a", 600),
      ev("b", 540),
      ev("c", 539),
    ]);
    expect(first).toMatchObject({ applied: 2, duplicates: 1, late: 1 });
    // what serving counts: a, its replay, b (not the late c)
    expect(first.counted.map((e) => e.id)).toEqual(["a", "a", "b"]);
    // a replay of a dropped event is a duplicate, not a second late one, and still not counted
    const again = await applyEvents(client, prefix, s, [ev("c", 539), ev("b", 540)]);
    expect(again).toMatchObject({ applied: 0, duplicates: 2, late: 0 });
    expect(again.counted.map((e) => e.id)).toEqual(["b"]);
    expect(await readStreamState(client, prefix, "p", "late")).toEqual({
      watermarkMs: T0 + 600_000,
      applied: 2,
      duplicates: 3,
      late: 1,
    });
    const ttl = await client.pttl(dedupeKey(prefix, "p", "late", driver, "a"));
    // retention: lateness 60 s + window 300 s + tile 60 s
    expect(ttl).toBeGreaterThan(400_000);
    expect(ttl).toBeLessThanOrEqual(420_000);
  });

  it("prunes tiles past the retention, so an entity's hash stays small", async () => {
    const s = spec("prune");
    const events = Array.from({ length: 200 }, (_, i) => ev(`e${i}`, i * 60, String(i)));
    await applyEvents(client, prefix, s, events);
    const fields = await client.hlen(tilesKey(prefix, "p", "prune", driver));
    // retention 420 s = 7 tiles (+ the one being written), 2 + 7 fields per tile, + _lo/_hi
    expect(fields).toBeLessThanOrEqual(8 * 9 + 2);
    const v = (await readWindows(client, prefix, s, [driver], T0 + 199 * 60_000))[0];
    // tiles 195..199, one event each, fares 195..199
    expect(v?.fare_sum_5m?.value).toBe(195 + 196 + 197 + 198 + 199);
  });
});
