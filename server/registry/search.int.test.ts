import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import type { Ctx } from "../core/context";
import { createEntity, createFeatureView, searchFeatures, updateFeatureView } from "./index";

let t: TestDb;
let ctx: Ctx;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
  await createEntity({
    ctx,
    input: { project: "proj", name: "customer", joinKey: "customer_id", valueType: "int64" },
  });
  await createFeatureView({ ctx, input: { project: "proj", spec: driverViewSpec() } });
  await createFeatureView({
    ctx,
    input: {
      project: "proj",
      spec: driverViewSpec({
        name: "customer_profile",
        entities: ["customer"],
        owner: "growth@example.com",
        tags: { team: "growth", tier: "gold" },
        description: "Daily profile of each customer",
        fields: [
          { name: "current_balance", dtype: "float64", description: "Wallet balance in dollars" },
          { name: "lifetime_trip_count", dtype: "int64", description: "Trips taken since sign-up" },
          {
            name: "conversion_score",
            dtype: "float32",
            description: "Likelihood to convert",
            tags: { pii: "no" },
          },
        ],
      }),
    },
  });
  // A second project must never leak into the first one's results.
  await seedBasics(ctx, t, "other");
  await createFeatureView({ ctx, input: { project: "other", spec: driverViewSpec() } });
});
afterAll(() => t.drop());

const names = (r: Awaited<ReturnType<typeof searchFeatures>>) =>
  r.items.map((i) => `${i.featureView}:${i.name}`);

describe("searchFeatures", () => {
  it("lists everything of the project with facet counts when no filter is set", async () => {
    const r = await searchFeatures({ ctx, input: { project: "proj" } });
    expect(r.total).toBe(6);
    expect(r.facets.views.values).toEqual([
      { value: "customer_profile", count: 3 },
      { value: "driver_hourly_stats", count: 3 },
    ]);
    expect(r.facets.tags.values).toContainEqual({ value: "team:drivers", count: 3 });
    expect(r.facets.tags.values).toContainEqual({ value: "pii:no", count: 1 });
    expect(r.facets.owners.values).toContainEqual({ value: "growth@example.com", count: 3 });
    expect(r.facets.entities.values).toContainEqual({ value: "driver", count: 3 });
  });

  it("ranks name matches above description matches and matches prefixes", async () => {
    const r = await searchFeatures({ ctx, input: { project: "proj", q: "conv" } });
    expect(names(r).slice(0, 2).sort()).toEqual([
      "customer_profile:conversion_score",
      "driver_hourly_stats:conv_rate",
    ]);
    const d = await searchFeatures({ ctx, input: { project: "proj", q: "wallet" } });
    expect(names(d)).toEqual(["customer_profile:current_balance"]);
  });

  it("matches description words by stem", async () => {
    const r = await searchFeatures({ ctx, input: { project: "proj", q: "trip" } });
    expect(names(r)).toEqual(
      expect.arrayContaining(["driver_hourly_stats:avg_daily_trips", "customer_profile:lifetime_trip_count"]),
    );
  });

  it("tolerates a typo in a feature name", async () => {
    const r = await searchFeatures({ ctx, input: { project: "proj", q: "curent_balanse" } });
    expect(names(r)[0]).toBe("customer_profile:current_balance");
  });

  it("filters by tag, owner, entity and view, and facets follow the filter", async () => {
    const byTag = await searchFeatures({ ctx, input: { project: "proj", tags: ["tier:gold"] } });
    expect(byTag.total).toBe(3);
    expect(byTag.facets.views.values).toEqual([{ value: "customer_profile", count: 3 }]);
    const both = await searchFeatures({ ctx, input: { project: "proj", tags: ["tier:gold", "pii:no"] } });
    expect(names(both)).toEqual(["customer_profile:conversion_score"]);
    const byOwner = await searchFeatures({
      ctx,
      input: { project: "proj", owner: "ml-platform@example.com" },
    });
    expect(byOwner.total).toBe(3);
    const byEntity = await searchFeatures({
      ctx,
      input: { project: "proj", entity: "customer", q: "count" },
    });
    expect(names(byEntity)).toEqual(["customer_profile:lifetime_trip_count"]);
    const byView = await searchFeatures({ ctx, input: { project: "proj", view: "driver_hourly_stats" } });
    expect(byView.total).toBe(3);
  });

  it("pages through results and treats LIKE wildcards literally", async () => {
    const p1 = await searchFeatures({ ctx, input: { project: "proj", limit: 4 } });
    const p2 = await searchFeatures({ ctx, input: { project: "proj", limit: 4, offset: 4 } });
    expect(p1.items).toHaveLength(4);
    expect(p2.items).toHaveLength(2);
    expect(new Set([...names(p1), ...names(p2)]).size).toBe(6);
    const wild = await searchFeatures({ ctx, input: { project: "proj", q: "%" } });
    expect(wild.total).toBe(0);
  });

  it("follows the current version of a view", async () => {
    await updateFeatureView({
      ctx,
      input: {
        project: "other",
        baseVersion: 1,
        spec: driverViewSpec({
          fields: [{ name: "surge_multiplier", dtype: "float64", description: "Surge" }],
        }),
      },
    });
    const r = await searchFeatures({ ctx, input: { project: "other", q: "surge" } });
    expect(names(r)).toEqual(["driver_hourly_stats:surge_multiplier"]);
    expect((await searchFeatures({ ctx, input: { project: "other", q: "conv_rate" } })).total).toBe(0);
  });

  it("finds a word as a feature's own, as its view's, and as its own again across versions", async () => {
    const version = async (baseVersion: number, tags: Record<string, string>) =>
      updateFeatureView({
        ctx,
        input: {
          project: "other",
          baseVersion,
          spec: driverViewSpec({
            tags,
            fields: [
              { name: "surge_multiplier", dtype: "float64", description: "Surge pricing in the north zone" },
              { name: "acc_rate", dtype: "float64", description: "Calm acceptance" },
            ],
          }),
        },
      });
    const search = async (q: string) => names(await searchFeatures({ ctx, input: { project: "other", q } }));
    // A view whose tag is "north" makes search match the word per view (search_views), so the
    // other view's features are found through their unshared words.
    await createFeatureView({
      ctx,
      input: {
        project: "other",
        spec: driverViewSpec({
          name: "regional",
          tags: { region: "north" },
          fields: [{ name: "avg_daily_trips", dtype: "int64", description: "Trips" }],
        }),
      },
    });
    const regional = "regional:avg_daily_trips";
    // "north" is surge_multiplier's own word (its description); acc_rate has neither.
    await version(2, {});
    expect(await search("north")).toEqual([regional, "driver_hourly_stats:surge_multiplier"]);
    expect(await search("north calm")).toEqual([]);
    // The view's tag makes "north" every feature's; "calm" stays acc_rate's own.
    await version(3, { region: "north" });
    expect(await search("north")).toEqual([
      "driver_hourly_stats:surge_multiplier",
      "driver_hourly_stats:acc_rate",
      regional,
    ]);
    expect(await search("north calm")).toEqual(["driver_hourly_stats:acc_rate"]);
    // And without the tag, surge_multiplier's own word is found again.
    await version(4, {});
    expect(await search("north")).toEqual([regional, "driver_hourly_stats:surge_multiplier"]);
    expect(await search("north calm")).toEqual([]);
  });

  it("refuses a malformed tag filter and an unknown project", async () => {
    await expect(searchFeatures({ ctx, input: { project: "proj", tags: ["nocolon"] } })).rejects.toThrow(
      /tags.0/,
    );
    await expect(searchFeatures({ ctx, input: { project: "nope" } })).rejects.toThrow(/not found/);
  });
});
