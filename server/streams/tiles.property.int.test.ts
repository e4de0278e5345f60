import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisUrlOrSkip } from "../../test/db";
import { entityKey } from "../online/entity-key";
import { deleteByPrefix } from "../online/test-redis";
import { referenceAccept, referenceWindows } from "./reference";
import type { StreamEngineSpec, StreamEvent } from "./spec";
import { applyEvents, readStreamState, readWindows } from "./tiles";

/**
 * The tiles in Redis against the brute-force reference (reference.ts, from the ADR's definitions):
 * random arrival orders with replays and late events, read at several times at or after the final
 * watermark minus the lateness (the times the retention guarantees).
 */
const redisUrl = redisUrlOrSkip();
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const ENTITIES = [1, 2, 3].map((d) => entityKey({ driver_id: d }));

/** Windows up to 1 h: the scenario's half hour never reaches the retention, so nothing is pruned. */
const wide = (view: string): StreamEngineSpec => ({
  project: "p",
  view,
  tileSeconds: 60,
  allowedLatenessSeconds: 120,
  aggregations: [
    { name: "trips_5m", column: "", function: "count", windowSeconds: 300, kind: "sliding" },
    { name: "trips_1h_tumbling", column: "", function: "count", windowSeconds: 3600, kind: "tumbling" },
    { name: "amount_sum_5m", column: "amount", function: "sum", windowSeconds: 300, kind: "sliding" },
    { name: "amount_avg_1h", column: "amount", function: "avg", windowSeconds: 3600, kind: "sliding" },
    { name: "amount_min_10m", column: "amount", function: "min", windowSeconds: 600, kind: "tumbling" },
    { name: "amount_max_1h", column: "amount", function: "max", windowSeconds: 3600, kind: "tumbling" },
    { name: "label_last_5m", column: "label", function: "last", windowSeconds: 300, kind: "sliding" },
    { name: "amount_last_1h", column: "amount", function: "last", windowSeconds: 3600, kind: "sliding" },
  ],
});

/** Tiles of 10 s, windows of 30 s and 1 min, 30 s lateness: tiles are pruned all the time. */
const narrow = (view: string): StreamEngineSpec => ({
  project: "p",
  view,
  tileSeconds: 10,
  allowedLatenessSeconds: 30,
  aggregations: [
    { name: "trips_30s", column: "", function: "count", windowSeconds: 30, kind: "sliding" },
    { name: "amount_sum_1m", column: "amount", function: "sum", windowSeconds: 60, kind: "tumbling" },
    { name: "amount_max_30s", column: "amount", function: "max", windowSeconds: 30, kind: "sliding" },
    { name: "label_last_1m", column: "label", function: "last", windowSeconds: 60, kind: "sliding" },
  ],
});

const eventArb = (spreadSeconds: number) =>
  fc.record({
    entity: fc.integer({ min: 0, max: ENTITIES.length - 1 }),
    // coarse times give ties (last's tie-break) and tile edges; the spread exceeds the lateness
    second: fc.integer({ min: 0, max: spreadSeconds }),
    ms: fc.constantFrom(0, 0, 1, 500, 999),
    amount: fc.option(fc.integer({ min: -50, max: 50 }), { nil: undefined }),
    label: fc.option(fc.constantFrom("a", "b", "zz", "7", "x y"), { nil: undefined }),
  });

const scenarioArb = (spreadSeconds: number) =>
  fc
    .array(eventArb(spreadSeconds), { minLength: 1, maxLength: 60 })
    .chain((raw) => {
      const events: StreamEvent[] = raw.map((r, i) => ({
        id: `${1000 - i}-${i % 3}`,
        entityKey: ENTITIES[r.entity] as string,
        tsMs: T0 + r.second * 1000 + r.ms,
        values: {
          ...(r.amount === undefined ? {} : { amount: String(r.amount) }),
          ...(r.label === undefined ? {} : { label: r.label }),
        },
      }));
      return fc.record({
        events: fc.constant(events),
        // replays: copies of some events, inserted anywhere
        replays: fc.array(fc.integer({ min: 0, max: events.length - 1 }), { maxLength: 15 }),
        order: fc.array(fc.nat(), { minLength: events.length + 15, maxLength: events.length + 15 }),
        readOffsets: fc.array(fc.integer({ min: 0, max: 7200 }), { minLength: 1, maxLength: 4 }),
      });
    })
    .map(({ events, replays, order, readOffsets }) => {
      const all = [...events, ...replays.map((i) => events[i] as StreamEvent)];
      const keyed = all.map((e, i) => ({ e, k: order[i] ?? 0, i }));
      keyed.sort((a, b) => a.k - b.k || a.i - b.i);
      return { arrivals: keyed.map((x) => x.e), readOffsets };
    });

describe.skipIf(!redisUrl)("stream tiles against the brute-force reference", () => {
  let client: Redis;
  const prefix = `test:streams:${randomBytes(4).toString("hex")}:`;
  /** Every run gets a view of its own (fresh watermark and tiles). */
  let run = 0;

  beforeAll(() => {
    client = new Redis(redisUrl as string, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await deleteByPrefix(client, prefix);
    client.disconnect();
  });

  it.each([
    ["windows up to 1 h (no pruning)", wide, 1800],
    ["10 s tiles, 1 min windows (pruned)", narrow, 150],
  ] as const)(
    "gives the reference's window values, counters and watermark: %s",
    async (_label, spec, spread) => {
      await fc.assert(
        fc.asyncProperty(scenarioArb(spread), async ({ arrivals, readOffsets }) => {
          const s = spec(`v${run++}`);
          // applied in a few batches, as a consumer would
          const got = { applied: 0, duplicates: 0, late: 0 };
          const counted: StreamEvent[] = [];
          for (let i = 0; i < arrivals.length; i += 7) {
            const r = await applyEvents(client, prefix, s, arrivals.slice(i, i + 7));
            counted.push(...r.counted);
            got.applied += r.applied;
            got.duplicates += r.duplicates;
            got.late += r.late;
          }
          const ref = referenceAccept(s, arrivals);
          expect(got).toEqual({ applied: ref.accepted.length, duplicates: ref.duplicates, late: ref.late });
          // what goes offline: every arrival of an accepted event (replays collapse there by id)
          const acceptedIds = new Set(ref.accepted.map((e) => `${e.entityKey} ${e.id}`));
          expect(counted).toEqual(arrivals.filter((e) => acceptedIds.has(`${e.entityKey} ${e.id}`)));
          const state = await readStreamState(client, prefix, "p", s.view);
          expect(state).toEqual({ watermarkMs: ref.watermarkMs, ...got });
          const wm = ref.watermarkMs as number;
          const lateMs = s.allowedLatenessSeconds * 1000;
          const times = [wm - lateMs, wm, ...readOffsets.map((o) => wm - lateMs + o * 1000)];
          for (const t of times) {
            const values = await readWindows(client, prefix, s, ENTITIES, t);
            const expected = ENTITIES.map((k) => referenceWindows(s, ref.accepted, k, t));
            expect(values, `read at ${new Date(t).toISOString()}`).toEqual(expected);
          }
        }),
        { numRuns: 100 },
      );
    },
  );
});
