import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import { createFeatureView } from "./index";

// Migration 0017 fills features.unshared_vector and search_views.tag_pairs for the rows that
// existed before it; indexViewForSearch writes them for new ones. Both must agree.

let t: TestDb;
const MIGRATION = path.resolve(__dirname, "../../drizzle/0017_search_unshared_words.sql");

beforeAll(async () => {
  t = await createTestDb();
  const ctx = testCtx(t);
  await seedBasics(ctx, t);
  await createFeatureView({
    ctx,
    input: {
      project: "proj",
      spec: driverViewSpec({
        tags: { team: "drivers", region: "north" },
        fields: [
          {
            name: "conv_rate",
            dtype: "float64",
            description: "Share of offers in the north",
            tags: { pii: "no" },
          },
          { name: "acc_rate", dtype: "float64", description: "Accepted by drivers" },
        ],
      }),
    },
  });
});
afterAll(() => t.drop());

const state = async () =>
  (
    await t.pool.query<{ name: string; unshared: string; pairs: string[] }>(`
      select f.name, f.unshared_vector::text as unshared, sv.tag_pairs as pairs
      from features f join search_views sv on sv.feature_view_id = f.feature_view_id order by f.name`)
  ).rows;

describe("migration 0017's backfill", () => {
  it("writes what indexViewForSearch writes", async () => {
    const written = await state();
    // The view's words ("north", "drivers": its tags) are gone from the features' own words.
    expect(written).toEqual([
      {
        name: "acc_rate",
        unshared: "'acc':1A 'accepted':3 'by':4 'rate':2A",
        pairs: ["region:north", "team:drivers"],
      },
      {
        name: "conv_rate",
        unshared: "'conv':1A 'in':8 'no':4B 'of':6 'offers':7 'pii':3B 'rate':2A 'share':5 'the':9",
        pairs: ["region:north", "team:drivers"],
      },
    ]);
    await t.pool.query("update features set unshared_vector = ''; update search_views set tag_pairs = '{}'");
    const updates = fs
      .readFileSync(MIGRATION, "utf8")
      .split("--> statement-breakpoint")
      .filter((s) => /^\s*(--[^\n]*\n\s*)*UPDATE/i.test(s));
    expect(updates).toHaveLength(2);
    for (const statement of updates) await t.pool.query(statement);
    expect(await state()).toEqual(written);
  });
});
