import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import type { Ctx } from "../core/context";
import { ConflictError, InvalidError, NotFoundError } from "../core/errors";
import { schema } from "../db/client";
import {
  createDataSource,
  createEntity,
  createFeatureView,
  diffFeatureViewVersions,
  getFeatureView,
  listFeatureViews,
  listFeatureViewVersions,
  updateEntity,
  updateFeatureView,
} from "./index";

let t: TestDb;
let ctx: Ctx;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
});
afterAll(() => t.drop());

async function tableCount(
  table: typeof schema.featureViews | typeof schema.features | typeof schema.featureViewVersions,
) {
  const [r] = await ctx.db.select({ n: count() }).from(table);
  return r?.n ?? 0;
}

describe("feature views", () => {
  it("registers version 1 and reads it back with resolved references", async () => {
    const created = await createFeatureView({ ctx, input: { project: "proj", spec: driverViewSpec() } });
    expect(created.version).toBe(1);
    const got = await getFeatureView({ ctx, input: { project: "proj", name: "driver_hourly_stats" } });
    expect(got.version).toBe(1);
    expect(got.spec.fields.map((f) => f.name)).toEqual(["conv_rate", "acc_rate", "avg_daily_trips"]);
    expect(got.entities.map((e) => e.joinKey)).toEqual(["driver_id"]);
    expect(got.source.name).toBe("driver_stats_source");
    expect(got.versionCreatedBy).toBe("test");
    const list = await listFeatureViews({ ctx, input: { project: "proj" } });
    expect(list.map((v) => [v.name, v.featureCount, v.sourceName])).toEqual([
      ["driver_hourly_stats", 3, "driver_stats_source"],
    ]);
  });

  it("refuses a duplicate name as a conflict", async () => {
    await expect(
      createFeatureView({ ctx, input: { project: "proj", spec: driverViewSpec() } }),
    ).rejects.toThrow(ConflictError);
  });

  it("refuses bad definitions naming the field, writing nothing", async () => {
    const before = [await tableCount(schema.featureViews), await tableCount(schema.features)];
    const cases: [Parameters<typeof driverViewSpec>[0], string][] = [
      [{ name: "Bad-Name" }, "spec.name"],
      [{ name: "v2", entities: ["nobody"] }, "entities.0"],
      [{ name: "v3", source: "nowhere" }, "source"],
      [{ name: "v4", fields: [] }, "spec.fields"],
      [{ name: "v5", fields: [{ name: "x", dtype: "decimal" as never }] }, "spec.fields.0.dtype"],
      [
        {
          name: "v6",
          fields: [
            { name: "x", dtype: "int64" },
            { name: "x", dtype: "int64" },
          ],
        },
        "spec.fields.1.name",
      ],
      [{ name: "v7", fields: [{ name: "driver_id", dtype: "int64" }] }, "fields.0.name"],
      [{ name: "v8", ttlSeconds: -1 }, "spec.ttlSeconds"],
    ];
    for (const [over, field] of cases) {
      const err = await createFeatureView({
        ctx,
        input: { project: "proj", spec: driverViewSpec(over) },
      }).catch((e: unknown) => e);
      expect(err, JSON.stringify(over)).toBeInstanceOf(InvalidError);
      expect((err as InvalidError).field).toBe(field);
      expect((err as InvalidError).message).toContain(field);
    }
    expect([await tableCount(schema.featureViews), await tableCount(schema.features)]).toEqual(before);
  });

  it("makes an immutable version per change and diffs any two", async () => {
    // A float32 feature needs a real column (a double one is refused as lossy, type-compatibility.ts);
    // float64 features still read it, widened.
    await t.offlineSql("proj", "alter table driver_stats alter column conv_rate type real");
    const v2 = await updateFeatureView({
      ctx,
      input: {
        project: "proj",
        baseVersion: 1,
        spec: driverViewSpec({
          ttlSeconds: 7200,
          tags: { team: "drivers", tier: "gold" },
          fields: [
            { name: "conv_rate", dtype: "float32", description: "Share of offers the driver accepted" },
            { name: "avg_daily_trips", dtype: "int64", description: "Average number of trips per day" },
            { name: "rating", dtype: "list<float64>", description: "Recent ratings" },
          ],
        }),
      },
    });
    expect(v2).toMatchObject({ version: 2, changed: true });

    const v1 = await getFeatureView({
      ctx,
      input: { project: "proj", name: "driver_hourly_stats", version: 1 },
    });
    expect(v1.spec.ttlSeconds).toBe(86400);
    expect(v1.spec.fields).toHaveLength(3);
    expect(v1.currentVersion).toBe(2);

    const diff = await diffFeatureViewVersions({
      ctx,
      input: { project: "proj", name: "driver_hourly_stats", from: 1, to: 2 },
    });
    const paths = diff.changes.map((c) => `${c.kind} ${c.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        "changed ttlSeconds",
        "added tags.tier",
        "changed fields.conv_rate.dtype",
        "removed fields.acc_rate",
        "added fields.rating",
      ]),
    );
    expect(diff.changes.find((c) => c.path === "ttlSeconds")).toMatchObject({ before: 86400, after: 7200 });

    const versions = await listFeatureViewVersions({
      ctx,
      input: { project: "proj", name: "driver_hourly_stats" },
    });
    expect(versions.map((v) => v.version)).toEqual([2, 1]);

    // The search catalog follows the current version.
    const names = await ctx.db.select({ name: schema.features.name }).from(schema.features);
    expect(names.map((n) => n.name).sort()).toEqual(["avg_daily_trips", "conv_rate", "rating"]);
  });

  it("an unchanged spec makes no new version", async () => {
    const cur = await getFeatureView({ ctx, input: { project: "proj", name: "driver_hourly_stats" } });
    const res = await updateFeatureView({ ctx, input: { project: "proj", baseVersion: 2, spec: cur.spec } });
    expect(res).toMatchObject({ version: 2, changed: false });
  });

  it("refuses a stale edit with a conflict and loses nothing", async () => {
    const err = await updateFeatureView({
      ctx,
      input: { project: "proj", baseVersion: 1, spec: driverViewSpec({ description: "stale edit" }) },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toMatch(/version 2.*based on version 1/);
    const cur = await getFeatureView({ ctx, input: { project: "proj", name: "driver_hourly_stats" } });
    expect(cur.spec.description).not.toBe("stale edit");
  });

  it("of two concurrent edits on the same base, exactly one wins", async () => {
    const base = await getFeatureView({ ctx, input: { project: "proj", name: "driver_hourly_stats" } });
    const edits = ["edit a", "edit b", "edit c"].map((description) =>
      updateFeatureView({
        ctx,
        input: { project: "proj", baseVersion: base.currentVersion, spec: { ...base.spec, description } },
      }).then(
        (r) => ({ ok: r.version }),
        (e: unknown) => ({ err: e }),
      ),
    );
    const results = await Promise.all(edits);
    expect(results.filter((r) => "ok" in r)).toHaveLength(1);
    for (const r of results) if ("err" in r) expect(r.err).toBeInstanceOf(ConflictError);
    const versions = await ctx.db
      .select({ n: count() })
      .from(schema.featureViewVersions)
      .where(eq(schema.featureViewVersions.featureViewId, base.id));
    expect(versions[0]?.n).toBe(base.currentVersion + 1);
  });

  it("reports missing views and versions as not found", async () => {
    await expect(getFeatureView({ ctx, input: { project: "proj", name: "nope" } })).rejects.toThrow(
      NotFoundError,
    );
    await expect(
      getFeatureView({ ctx, input: { project: "proj", name: "driver_hourly_stats", version: 99 } }),
    ).rejects.toThrow(/no version 99/);
    await expect(getFeatureView({ ctx, input: { project: "other", name: "x" } })).rejects.toThrow(
      /project "other" not found/,
    );
  });

  it("keeps an entity's join key fixed while views use it", async () => {
    await expect(
      updateEntity({
        ctx,
        input: { project: "proj", name: "driver", joinKey: "driver_uuid", valueType: "string" },
      }),
    ).rejects.toThrow(ConflictError);
    const e = await updateEntity({
      ctx,
      input: { project: "proj", name: "driver", joinKey: "driver_id", valueType: "int64", owner: "a@b.c" },
    });
    expect(e.owner).toBe("a@b.c");
    await expect(
      createEntity({
        ctx,
        input: { project: "proj", name: "driver", joinKey: "driver_id", valueType: "int64" },
      }),
    ).rejects.toThrow(/already exists/);
  });
});

describe("checks against the offline source", () => {
  it("refuses a field with no column in the source, naming the field", async () => {
    const err = await createFeatureView({
      ctx,
      input: {
        project: "proj",
        spec: driverViewSpec({
          name: "typo_view",
          fields: [
            { name: "conv_rate", dtype: "float64" },
            { name: "conv_rat", dtype: "float64" },
          ],
        }),
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidError);
    expect((err as InvalidError).field).toBe("fields.1.name");
    expect((err as Error).message).toMatch(/no column "conv_rat"/);
  });

  it("refuses a source whose table does not exist, writing nothing", async () => {
    const err = await createDataSource({
      ctx,
      input: {
        project: "proj",
        name: "ghost_source",
        kind: "table",
        tableName: "proj.ghost",
        timestampField: "ts",
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidError);
    expect((err as InvalidError).field).toBe("tableName");
    expect((err as Error).message).toBe(
      'tableName: source "ghost_source": its table proj.ghost cannot be read: relation "proj.ghost" does not exist',
    );
    const err2 = await createFeatureView({
      ctx,
      input: { project: "proj", spec: driverViewSpec({ name: "ghost_view", source: "ghost_source" }) },
    }).catch((e: unknown) => e);
    expect((err2 as Error).message).toBe('source: data source "ghost_source" does not exist');
  });

  it("refuses to register a source whose table lies outside the project's offline space", async () => {
    const err = await createDataSource({
      ctx,
      input: {
        project: "proj",
        name: "foreign_source",
        kind: "table",
        tableName: "offline.driver_stats",
        timestampField: "event_timestamp",
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidError);
    expect((err as InvalidError).field).toBe("tableName");
    expect((err as Error).message).toBe(
      'tableName: a table source of project "proj" may name only tables in its offline space (schemas proj); "offline.driver_stats" is outside it',
    );
  });
});
