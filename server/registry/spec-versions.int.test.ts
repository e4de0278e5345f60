import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import type { Ctx } from "../core/context";
import { MIGRATIONS_FOLDER } from "../db/migrate";
import { viewsByName } from "../serving/views";
import {
  createFeatureView,
  getFeatureView,
  listFeatureViews,
  StoredSpecError,
  updateFeatureView,
} from "./index";

// Stored specs carry their format (docs/adr/0019-schema-as-single-source.md): rows written before
// formats had a number still read, writes stamp the current format, broken rows fail clearly.

let t: TestDb;
let ctx: Ctx;
let projectId: string;

/** A spec as the first Quiver stored it: no specVersion, no `offline`, no `freshnessSlaSeconds`. */
const legacy = (name: string) => ({
  name,
  entities: ["driver"],
  fields: [{ name: "conv_rate", dtype: "float64" as const, description: "old", tags: {} }],
  source: "driver_stats_source",
  ttlSeconds: 3600,
  online: true,
  description: "written by an old Quiver",
  tags: {},
  owner: "",
});

/** Puts `spec` in as the view's next version, raw, and makes it current. */
async function insertRawVersion(view: string, version: number, spec: unknown) {
  const { rows } = await t.pool.query<{ id: string }>(
    "select id from feature_views where project_id = $1 and name = $2",
    [projectId, view],
  );
  const id = rows[0]?.id;
  await t.pool.query(
    "insert into feature_view_versions (feature_view_id, version, spec, created_by) values ($1, $2, $3, 'old')",
    [id, version, JSON.stringify(spec)],
  );
  await t.pool.query("update feature_views set current_version = $2 where id = $1", [id, version]);
}

async function storedSpecOf(view: string, version: number): Promise<Record<string, unknown>> {
  const { rows } = await t.pool.query<{ spec: Record<string, unknown> }>(
    `select v.spec from feature_view_versions v join feature_views f on f.id = v.feature_view_id
     where f.name = $1 and v.version = $2`,
    [view, version],
  );
  return rows[0]?.spec ?? {};
}

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
  const { rows } = await t.pool.query<{ id: string }>("select id from projects where name = 'proj'");
  projectId = rows[0]?.id ?? "";
});
afterAll(() => t.drop());

describe("stored feature view specs", () => {
  it("are written stamped with the current format", async () => {
    await createFeatureView({ ctx, input: { project: "proj", spec: driverViewSpec() } });
    expect(await storedSpecOf("driver_hourly_stats", 1)).toMatchObject({
      specVersion: 1,
      name: "driver_hourly_stats",
    });
  });

  it("read a legacy row (no specVersion) everywhere, and the next write stamps it", async () => {
    await insertRawVersion("driver_hourly_stats", 2, legacy("driver_hourly_stats"));
    const expected = { ...legacy("driver_hourly_stats"), offline: true, freshnessSlaSeconds: null };

    const got = await getFeatureView({ ctx, input: { project: "proj", name: "driver_hourly_stats" } });
    expect(got.version).toBe(2);
    expect(got.spec).toEqual(expected);
    const [listed] = await listFeatureViews({ ctx, input: { project: "proj" } });
    expect(listed?.spec).toEqual(expected);
    const served = await viewsByName(ctx, projectId, ["driver_hourly_stats"]);
    expect(served.get("driver_hourly_stats")?.spec).toEqual(expected);

    const updated = await updateFeatureView({
      ctx,
      input: { project: "proj", baseVersion: 2, spec: { ...expected, ttlSeconds: 7200 } },
    });
    expect(updated).toMatchObject({ version: 3, changed: true });
    expect(await storedSpecOf("driver_hourly_stats", 3)).toMatchObject({ specVersion: 1, ttlSeconds: 7200 });
  });

  it("are stamped by the data migration, which leaves stamped rows alone", async () => {
    await insertRawVersion("driver_hourly_stats", 4, legacy("driver_hourly_stats"));
    const before3 = await storedSpecOf("driver_hourly_stats", 3);
    const migration = readFileSync(
      path.join(MIGRATIONS_FOLDER, "0010_stamp_feature_view_spec_version.sql"),
      "utf8",
    );
    await t.pool.query(migration);
    expect(await storedSpecOf("driver_hourly_stats", 4)).toEqual({
      specVersion: 1,
      ...legacy("driver_hourly_stats"),
    });
    expect(await storedSpecOf("driver_hourly_stats", 3)).toEqual(before3);
  });

  it("that do not parse fail as an internal error naming the view and version", async () => {
    await createFeatureView({
      ctx,
      input: { project: "proj", spec: driverViewSpec({ name: "broken_view" }) },
    });
    await insertRawVersion("broken_view", 2, {
      specVersion: 1,
      ...legacy("broken_view"),
      fields: [{ name: "conv_rate", dtype: "SECRET_TYPE" }],
    });
    const read = getFeatureView({ ctx, input: { project: "proj", name: "broken_view" } });
    await expect(read).rejects.toThrow(StoredSpecError);
    await expect(read).rejects.toThrow(
      'feature view "broken_view" version 2: the stored spec (format 1) does not parse: fields.0.dtype (invalid_value)',
    );
    await expect(listFeatureViews({ ctx, input: { project: "proj" } })).rejects.toThrow(
      /"broken_view" version 2/,
    );
    // Its earlier version still reads.
    const v1 = await getFeatureView({ ctx, input: { project: "proj", name: "broken_view", version: 1 } });
    expect(v1.spec.name).toBe("broken_view");
  });
});
