import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import type { Ctx } from "../core/context";
import { createFeatureView } from "../registry";
import { createOnDemandView, updateOnDemandView } from "./registry";
import type { OnDemandViewSpecInput } from "./spec";
import { diffOnDemandViewVersions, listOnDemandViewVersions } from "./versions";

let t: TestDb;
let ctx: Ctx;
const P = "proj";

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
  await createFeatureView({ ctx, input: { project: P, spec: driverViewSpec() } });
});
afterAll(() => t.drop());

const v1: OnDemandViewSpecInput = {
  name: "scores",
  inputs: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:avg_daily_trips"],
  requestFields: [{ name: "boost", dtype: "float64" }],
  fields: [
    { name: "boosted", dtype: "float64", expression: "driver_hourly_stats.conv_rate * request.boost" },
    { name: "busy", dtype: "bool", expression: "driver_hourly_stats.avg_daily_trips > 10" },
  ],
  tags: { team: "drivers" },
};

describe("on-demand view versions and diff", () => {
  it("lists versions newest first and diffs expressions, rows and tags by name", async () => {
    await createOnDemandView({ ctx, input: { project: P, spec: v1 } });
    await updateOnDemandView({
      ctx,
      input: {
        project: P,
        baseVersion: 1,
        spec: {
          ...v1,
          inputs: ["driver_hourly_stats:conv_rate"],
          requestFields: [
            { name: "boost", dtype: "float64" },
            { name: "floor", dtype: "float64" },
          ],
          fields: [
            {
              name: "boosted",
              dtype: "float64",
              expression: "driver_hourly_stats.conv_rate * request.boost + request.floor",
            },
          ],
          description: "now with a floor",
          tags: { team: "dispatch" },
        },
      },
    });
    const versions = await listOnDemandViewVersions({ ctx, input: { project: P, name: "scores" } });
    expect(versions.map((v) => [v.version, v.createdBy])).toEqual([
      [2, "test"],
      [1, "test"],
    ]);
    expect(versions[0]?.createdAt).toBeInstanceOf(Date);

    const d = await diffOnDemandViewVersions({ ctx, input: { project: P, name: "scores", from: 1, to: 2 } });
    expect(d).toMatchObject({ name: "scores", from: 1, to: 2 });
    const byPath = Object.fromEntries(d.changes.map((c) => [c.path, c]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        "description",
        "inputs.driver_hourly_stats:avg_daily_trips",
        "requestFields.floor",
        "fields.boosted.expression",
        "fields.busy",
        "tags.team",
      ].sort(),
    );
    expect(byPath["fields.boosted.expression"]).toEqual({
      path: "fields.boosted.expression",
      kind: "changed",
      before: "driver_hourly_stats.conv_rate * request.boost",
      after: "driver_hourly_stats.conv_rate * request.boost + request.floor",
    });
    expect(byPath["inputs.driver_hourly_stats:avg_daily_trips"]?.kind).toBe("removed");
    expect(byPath["requestFields.floor"]).toMatchObject({
      kind: "added",
      after: { name: "floor", dtype: "float64" },
    });
    expect(byPath["fields.busy"]?.kind).toBe("removed");
    expect(byPath["tags.team"]).toMatchObject({ kind: "changed", before: "drivers", after: "dispatch" });

    const same = await diffOnDemandViewVersions({
      ctx,
      input: { project: P, name: "scores", from: 2, to: 2 },
    });
    expect(same.changes).toEqual([]);
  });

  it("answers 404 for an unknown view or version", async () => {
    await expect(
      listOnDemandViewVersions({ ctx, input: { project: P, name: "nope" } }),
    ).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(
      diffOnDemandViewVersions({ ctx, input: { project: P, name: "scores", from: 1, to: 9 } }),
    ).rejects.toMatchObject({ code: "NOT_FOUND", field: "version" });
  });
});
