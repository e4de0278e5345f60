import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverKey, PROJECT, STORE_KINDS, seedServing } from "../../test/helpers/serving";
import type { OnlineRow } from "../online/types";
import { getHistoricalFeatures } from "../serving/get-historical-features";
import { getOnlineFeatures } from "../serving/get-online-features";
import { createOnDemandView } from "./registry";

/**
 * Online and offline compute on-demand features alike (docs/adr/0036-on-demand-features.md): the
 * same generated feature rows, written to the online store and to the offline table, and the same
 * request fields (request_context online, entity columns offline) give the same values, and the
 * same reasons where a row fails: null inputs, missing and expired rows, division by zero,
 * overflow, results that are not finite.
 */

const N = 600;
const FEATURES = ["boosted", "per_k", "scaled", "ratio", "band", "lucky", "small"];

/** mulberry32: the same rows on every run. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Driver {
  id: number;
  row: "none" | "stale" | "fresh";
  conv: number | null;
  trips: bigint | null;
  boost: number | null;
  k: number;
}

function generate(): Driver[] {
  const r = random(13);
  const pick = <T>(cases: [number, () => T][]): T => {
    let x = r();
    for (const [p, f] of cases) {
      if (x < p) return f();
      x -= p;
    }
    return (cases[cases.length - 1] as [number, () => T])[1]();
  };
  return Array.from({ length: N }, (_, i) => ({
    id: 5000 + i,
    row: pick<Driver["row"]>([
      [0.08, () => "none"],
      [0.08, () => "stale"],
      [1, () => "fresh"],
    ]),
    conv: pick<number | null>([
      [0.1, () => null],
      [0.1, () => 0],
      [1, () => r()],
    ]),
    trips: pick<bigint | null>([
      [0.1, () => null],
      [0.1, () => 0n],
      [0.08, () => 2n ** 62n + BigInt(Math.floor(r() * 1e6))],
      [1, () => BigInt(Math.floor(r() * 1000))],
    ]),
    boost: pick<number | null>([
      [0.1, () => null],
      [1, () => r() * 10 - 5],
    ]),
    k: pick<number>([
      [0.15, () => 0],
      [1, () => 1 + Math.floor(r() * 20)],
    ]),
  }));
}

let t: TestDb;
const drivers = generate();
const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const fresh = new Date(now.getTime() - 3600_000);
const stale = new Date(now.getTime() - 3 * 86400_000);

beforeAll(async () => {
  t = await createTestDb();
  const ctx = testCtx(t);
  await seedServing(ctx, t);
  await createOnDemandView({
    ctx,
    input: {
      project: PROJECT,
      spec: {
        name: "equiv_odv",
        inputs: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:avg_daily_trips"],
        requestFields: [
          { name: "boost", dtype: "float64" },
          { name: "k", dtype: "int64" },
        ],
        fields: [
          { name: "boosted", dtype: "float64", expression: "driver_hourly_stats.conv_rate * request.boost" },
          { name: "per_k", dtype: "int64", expression: "driver_hourly_stats.avg_daily_trips / request.k" },
          { name: "scaled", dtype: "int64", expression: "driver_hourly_stats.avg_daily_trips * 1000" },
          {
            name: "ratio",
            dtype: "float64",
            expression: "double(driver_hourly_stats.avg_daily_trips) / driver_hourly_stats.conv_rate",
          },
          {
            name: "band",
            dtype: "string",
            expression: 'driver_hourly_stats.conv_rate > 0.5 ? "high" : "low"',
          },
          { name: "lucky", dtype: "bool", expression: "driver_hourly_stats.avg_daily_trips % 7 == 3" },
          { name: "small", dtype: "int32", expression: "driver_hourly_stats.avg_daily_trips" },
        ],
      },
    },
  });
  const stored = drivers.filter((d) => d.row !== "none");
  await t.offlineSql(
    PROJECT,
    `insert into driver_stats (driver_id, conv, avg_daily_trips, event_timestamp)
     select * from unnest($1::bigint[], $2::float8[], $3::bigint[], $4::timestamptz[])`,
    [
      stored.map((d) => d.id),
      stored.map((d) => d.conv),
      stored.map((d) => (d.trips === null ? null : d.trips.toString())),
      stored.map((d) => (d.row === "stale" ? stale : fresh)),
    ],
  );
});
afterAll(() => t.drop());

/** The online form of an int64: a number when safe, else its decimal text (as materialization writes). */
function onlineInt(n: bigint | null): number | string | null {
  if (n === null) return null;
  return Number.isSafeInteger(Number(n)) ? Number(n) : n.toString();
}

for (const store of STORE_KINDS) {
  describe.skipIf(store.skip)(`online (${store.kind} store) and offline`, () => {
    it("give identical values and reasons for every generated row", async () => {
      const { ctx, close } = await store.open(t);
      try {
        const rows: OnlineRow[] = drivers
          .filter((d) => d.row !== "none")
          .map((d) => ({
            entityKey: driverKey(d.id),
            eventTs: d.row === "stale" ? stale : fresh,
            values: { conv_rate: d.conv, avg_daily_trips: onlineInt(d.trips) },
          }));
        await ctx.online.write(PROJECT, "driver_hourly_stats", rows);
        const features = FEATURES.map((f) => `equiv_odv:${f}`);
        const online = await getOnlineFeatures({
          ctx,
          input: {
            project: PROJECT,
            features,
            entities: { driver_id: drivers.map((d) => d.id) },
            request_context: { boost: drivers.map((d) => d.boost), k: drivers.map((d) => d.k) },
          },
        });
        const offline = await getHistoricalFeatures({
          ctx,
          input: {
            project: PROJECT,
            features,
            entities: {
              driver_id: drivers.map((d) => d.id),
              event_timestamp: drivers.map(() => now.toISOString()),
              boost: drivers.map((d) => d.boost),
              k: drivers.map((d) => d.k),
            },
          },
        });
        const kinds = new Set<string>();
        FEATURES.forEach((name, i) => {
          const on = online.results[1 + i]?.values ?? [];
          const off = offline.results[4 + i]?.values ?? [];
          expect(offline.metadata.feature_names[4 + i]).toBe(name);
          expect(on).toHaveLength(N);
          expect(off).toEqual(on);
          const onReasons = online.metadata.reasons?.[name] ?? new Array(N).fill(null);
          const offReasons = offline.metadata.reasons?.[name] ?? new Array(N).fill(null);
          expect(offReasons).toEqual(onReasons);
          for (const [row, reason] of onReasons.entries()) {
            expect(online.results[1 + i]?.statuses[row]).toBe(reason === null ? "PRESENT" : "NULL_VALUE");
            kinds.add(reason === null ? "computed" : reason.replace(/[:(].*$/, "").trim());
          }
        });
        // Every way a row can fail happened, so the comparison covered them.
        expect([...kinds].sort()).toEqual(
          expect.arrayContaining([
            "computed",
            "driver_hourly_stats.conv_rate is null",
            "driver_hourly_stats.avg_daily_trips is null",
            "request.boost is null",
            "division by zero",
            "integer overflow",
            "int32 overflow",
            "the result is not a finite number",
          ]),
        );
      } finally {
        await ctx.online.deleteView(PROJECT, "driver_hourly_stats");
        await close();
      }
    });
  });
}
