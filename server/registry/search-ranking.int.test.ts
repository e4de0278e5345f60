import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import type { Ctx } from "../core/context";
import { InvalidError } from "../core/errors";
import {
  createDataSource,
  createEntity,
  createFeatureView,
  ensureProject,
  searchFeatures,
  searchObjects,
} from "./index";

// A fixed catalog and, per query, the order written by hand from the ranking rules
// (docs/adr/0028-search-at-scale.md): exact name > name prefix (shorter first) > a word of the
// name > a view, tag, owner or entity word > description; ties in (view, position) order.

let t: TestDb;
let ctx: Ctx;
const P = "rank";

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await t.offlineSql(
    P,
    `create table events (customer_id bigint, driver_id bigint, account_id bigint, ts timestamptz not null,
      current_balance float8, current_balance_7d_avg float8, lifetime_trip_count float8, balance_change float8,
      trip_distance float8, trip_duration float8, surge_multiplier float8,
      fraud_score float8, chargeback_ratio float8)`,
  );
  await ensureProject({ ctx, input: { name: P } });
  for (const [name, joinKey] of [
    ["customer", "customer_id"],
    ["driver", "driver_id"],
    ["account", "account_id"],
  ] as const)
    await createEntity({ ctx, input: { project: P, name, joinKey, valueType: "int64" } });
  await createDataSource({
    ctx,
    input: { project: P, name: "events", kind: "table", tableName: `${P}.events`, timestampField: "ts" },
  });
  const view = (
    name: string,
    entity: string,
    owner: string,
    tags: Record<string, string>,
    fields: [string, string, Record<string, string>?][],
  ) =>
    createFeatureView({
      ctx,
      input: {
        project: P,
        spec: {
          name,
          entities: [entity],
          source: "events",
          ttlSeconds: 0,
          owner,
          tags,
          description: "",
          fields: fields.map(([n, description, ownTags]) => ({
            name: n,
            dtype: "float64",
            description,
            tags: ownTags ?? {},
          })),
        },
      },
    });
  await view("customer_profile", "customer", "growth@example.com", { team: "growth", tier: "gold" }, [
    ["current_balance", "Wallet balance in dollars"],
    ["current_balance_7d_avg", "Average wallet balance over a week"],
    ["lifetime_trip_count", "Trips taken since sign-up, across mobility products"],
    ["balance_change", "Change of the wallet balance since yesterday", { pii: "no" }],
  ]);
  await view("mobility_trips", "driver", "priya.raman@example.com", { domain: "mobility", tier: "silver" }, [
    ["trip_distance", "Distance of the trip in kilometres"],
    ["trip_duration", "Minutes from pickup to drop-off"],
    ["surge_multiplier", "Price multiplier at peak demand"],
  ]);
  await view("payments_risk", "account", "risk-team@corp.example", { domain: "payments", tier: "gold" }, [
    ["fraud_score", "Likelihood that a payment is fraudulent"],
    ["chargeback_ratio", "Chargebacks over settled payments, against the current balance"],
  ]);
});
afterAll(() => t.drop());

const order = async (q: string, more: Record<string, unknown> = {}) =>
  (await searchFeatures({ ctx, input: { project: P, q, ...more } })).items.map(
    (i) => `${i.featureView}:${i.name}`,
  );

describe("search ranking", () => {
  it.each([
    [
      "current_balance",
      [
        "customer_profile:current_balance", // exact name
        "customer_profile:current_balance_7d_avg", // name prefix
        "payments_risk:chargeback_ratio", // description
      ],
    ],
    [
      "curent_balanse", // two typos, corrected into current and balance
      [
        "customer_profile:current_balance",
        "customer_profile:current_balance_7d_avg",
        "payments_risk:chargeback_ratio",
      ],
    ],
    [
      "balance",
      [
        "customer_profile:balance_change", // name prefix
        "customer_profile:current_balance", // name word, position 0
        "customer_profile:current_balance_7d_avg", // name word, position 1
        "payments_risk:chargeback_ratio", // description
      ],
    ],
    [
      "mobility",
      [
        "mobility_trips:trip_distance", // tag domain:mobility and view name
        "mobility_trips:trip_duration",
        "mobility_trips:surge_multiplier",
        "customer_profile:lifetime_trip_count", // description
      ],
    ],
    [
      "mobilty",
      [
        "mobility_trips:trip_distance",
        "mobility_trips:trip_duration",
        "mobility_trips:surge_multiplier",
        "customer_profile:lifetime_trip_count",
      ],
    ],
    [
      "tier:gold",
      [
        "customer_profile:current_balance",
        "customer_profile:current_balance_7d_avg",
        "customer_profile:lifetime_trip_count",
        "customer_profile:balance_change",
        "payments_risk:fraud_score",
        "payments_risk:chargeback_ratio",
      ],
    ],
    [
      "priya", // owner
      ["mobility_trips:trip_distance", "mobility_trips:trip_duration", "mobility_trips:surge_multiplier"],
    ],
    [
      "priay raman", // owner, one word misspelt
      ["mobility_trips:trip_distance", "mobility_trips:trip_duration", "mobility_trips:surge_multiplier"],
    ],
    ["pii:no", ["customer_profile:balance_change"]], // a feature's own tag
    [
      "trip",
      [
        "mobility_trips:trip_distance", // name prefix, shorter first: equal lengths by position
        "mobility_trips:trip_duration",
        "customer_profile:lifetime_trip_count", // name word
        "mobility_trips:surge_multiplier", // view name word (mobility_trips)
      ],
    ],
    ["risk fraud", ["payments_risk:fraud_score"]], // view word + name word
    ["zzqxv", []],
  ])("%s", async (q, expected) => {
    expect(await order(q)).toEqual(expected);
  });

  it("says which words it corrected", async () => {
    const r = await searchFeatures({ ctx, input: { project: P, q: "mobilty tier" } });
    expect(r.corrections).toEqual([{ word: "mobilty", into: expect.arrayContaining(["mobility"]) }]);
  });

  it("counts facets over the hits, bounded, with how many more", async () => {
    const r = await searchFeatures({ ctx, input: { project: P, q: "tier:gold" } });
    expect(r.total).toBe(6);
    expect(r.facets.views).toEqual({
      values: [
        { value: "customer_profile", count: 4 },
        { value: "payments_risk", count: 2 },
      ],
      more: 0,
    });
    expect(r.facets.tags.values).toEqual([
      { value: "tier:gold", count: 6 },
      { value: "team:growth", count: 4 },
      { value: "domain:payments", count: 2 },
      { value: "pii:no", count: 1 },
    ]);
    expect(r.facets.owners.values).toEqual([
      { value: "growth@example.com", count: 4 },
      { value: "risk-team@corp.example", count: 2 },
    ]);
    expect(r.facets.entities.values).toEqual([
      { value: "customer", count: 4 },
      { value: "account", count: 2 },
    ]);
    const all = await searchFeatures({ ctx, input: { project: P } });
    expect(all.total).toBe(9);
    // tier:gold 6, tier:silver 3, domain:mobility 3, team:growth 4, domain:payments 2, pii:no 1
    expect(all.facets.tags.values).toHaveLength(6);
    expect(all.facets.tags.more).toBe(0);
  });

  it("marks features of deprecated views", async () => {
    await t.pool.query("update feature_views set deprecated_at = now() where name = 'payments_risk'");
    const r = await searchFeatures({ ctx, input: { project: P, q: "fraud" } });
    expect(r.items.map((i) => [i.name, i.deprecated])).toEqual([["fraud_score", true]]);
    const ok = await searchFeatures({ ctx, input: { project: P, q: "trip_distance" } });
    expect(ok.items[0]?.deprecated).toBe(false);
    await t.pool.query("update feature_views set deprecated_at = null");
  });
});

describe("search input an attacker chooses", () => {
  const nasty = [
    "%",
    "_",
    "\\",
    "'",
    '"',
    "x".repeat(200),
    "!",
    "&",
    ":*",
    "(",
    ")",
    "!conv & (rate | :*",
    "' or 1=1 --",
    "a:*B & !b <-> c",
    "ñandú émoji 🙂",
    "%_%_\\%",
    "a b c d e f g h i j k l m n o p",
  ];

  it.each(nasty)("search.features answers %j quickly", async (q) => {
    const started = Date.now();
    const r = await searchFeatures({ ctx, input: { project: P, q } });
    expect(r.total).toBeGreaterThanOrEqual(0);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it.each(nasty)("search.objects answers %j quickly", async (q) => {
    const started = Date.now();
    const r = await searchObjects({ ctx, input: { project: P, q } });
    expect(r.items.length).toBeLessThanOrEqual(20);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("finds nothing for wildcards and operators taken literally", async () => {
    for (const q of ["%", "_", "\\", ":*", "!", "&"]) {
      expect((await searchFeatures({ ctx, input: { project: P, q } })).total).toBe(0);
      expect((await searchObjects({ ctx, input: { project: P, q } })).items).toEqual([]);
    }
  });

  it("refuses input past its limits, naming the field", async () => {
    const refused = async (input: Record<string, unknown>, field: RegExp) => {
      const e = await searchFeatures({ ctx, input: { project: P, ...input } as never }).catch((x) => x);
      expect(e).toBeInstanceOf(InvalidError);
      expect(String(e.message)).toMatch(field);
    };
    await refused({ q: "x".repeat(201) }, /q/);
    await refused({ q: "a\u0000b" }, /q.*NUL/);
    await refused({ tags: ["a\u0000:b"] }, /tags\.0.*NUL/);
    await refused({ q: "x", tags: ["tier:gold\u0000"] }, /tags\.0.*NUL/);
    await refused({ owner: "a\u0000" }, /owner.*NUL/);
    await refused({ tags: ["nocolon"] }, /tags\.0/);
    const o = await searchObjects({ ctx, input: { project: P, q: "x".repeat(201) } }).catch((x) => x);
    expect(o).toBeInstanceOf(InvalidError);
    expect(String(o.message)).toMatch(/q/);
    const nul = await searchObjects({ ctx, input: { project: P, q: "a\u0000" } }).catch((x) => x);
    expect(nul).toBeInstanceOf(InvalidError);
  });
});

describe("search.objects", () => {
  const found = async (q: string) =>
    (await searchObjects({ ctx, input: { project: P, q } })).items.map((i) => `${i.kind} ${i.name}`);

  it("puts the exact name first, then prefixes, then typos, across kinds", async () => {
    expect((await found("customer")).slice(0, 2)).toEqual(["entity customer", "view customer_profile"]);
    expect(await found("trip_d")).toEqual([
      "feature mobility_trips:trip_distance", // prefix
      "feature mobility_trips:trip_duration", // prefix
      "feature customer_profile:lifetime_trip_count", // a word close to it
    ]);
    expect((await found("paymnts_risk"))[0]).toBe("view payments_risk");
    expect(await found("events")).toEqual(["source events"]);
  });

  it("reads view:feature as a reference", async () => {
    expect(await found("customer_profile:current")).toEqual([
      "feature customer_profile:current_balance",
      "feature customer_profile:current_balance_7d_avg",
    ]);
  });

  it("never reads another project's objects", async () => {
    await ensureProject({ ctx, input: { name: "other" } });
    expect(await searchObjects({ ctx, input: { project: "other", q: "customer" } })).toEqual({ items: [] });
  });
});
