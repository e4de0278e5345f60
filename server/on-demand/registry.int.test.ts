import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import type { Ctx } from "../core/context";
import { auditLog, onDemandViews, onDemandViewVersions } from "../db/schema";
import { createFeatureView } from "../registry";
import {
  createOnDemandView,
  deleteOnDemandView,
  getOnDemandView,
  listOnDemandViews,
  updateOnDemandView,
} from "./registry";
import type { OnDemandViewSpecInput } from "./spec";

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

function spec(over: Partial<OnDemandViewSpecInput> = {}): OnDemandViewSpecInput {
  return {
    name: "driver_scores",
    inputs: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:avg_daily_trips"],
    requestFields: [{ name: "boost", dtype: "float64" }],
    fields: [
      { name: "boosted", dtype: "float64", expression: "driver_hourly_stats.conv_rate * request.boost" },
      { name: "busy", dtype: "bool", expression: "driver_hourly_stats.avg_daily_trips > 10" },
    ],
    ...over,
  };
}

async function rows() {
  const [v] = await ctx.db.select({ n: count() }).from(onDemandViews);
  const [w] = await ctx.db.select({ n: count() }).from(onDemandViewVersions);
  return [v?.n, w?.n];
}

describe("on-demand views in the registry", () => {
  it("registers version 1, reads it back, lists it, audits it", async () => {
    const made = await createOnDemandView({ ctx, input: { project: P, spec: spec() } });
    expect(made).toMatchObject({ name: "driver_scores", version: 1 });
    const got = await getOnDemandView({ ctx, input: { project: P, name: "driver_scores" } });
    expect(got.spec.fields.map((f) => f.name)).toEqual(["boosted", "busy"]);
    expect(got.versionCreatedBy).toBe("test");
    expect((await listOnDemandViews({ ctx, input: { project: P } })).map((v) => v.name)).toEqual([
      "driver_scores",
    ]);
    const audits = await ctx.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(and(eq(auditLog.objectType, "on_demand_view"), eq(auditLog.objectName, "driver_scores")));
    expect(audits.map((a) => a.action)).toEqual(["on_demand_view.create"]);
  });

  it("refuses with a 400 naming the field, and writes nothing", async () => {
    const before = await rows();
    const cases: [Partial<OnDemandViewSpecInput>, string, RegExp][] = [
      [
        { name: "bad1", fields: [{ name: "x", dtype: "float64", expression: "driver_hourly_stats.nope" }] },
        "fields.0.expression",
        /nope/,
      ],
      [
        { name: "bad2", fields: [{ name: "x", dtype: "string", expression: "request.boost * 2.0" }] },
        "fields.0.expression",
        /gives double but field "x" is declared string/,
      ],
      [
        { name: "bad3", fields: [{ name: "x", dtype: "float64", expression: "request.speed" }] },
        "fields.0.expression",
        /speed/,
      ],
      [{ name: "bad4", inputs: ["no_such_view:conv_rate"] }, "inputs.0", /"no_such_view" does not exist/],
    ];
    for (const [over, field, message] of cases)
      await expect(
        createOnDemandView({ ctx, input: { project: P, spec: spec(over) } }),
      ).rejects.toMatchObject({
        code: "INVALID",
        field,
        message: expect.stringMatching(message),
      });
    expect(await rows()).toEqual(before);
  });

  it("refuses a name a feature view has, and a feature view the name of an on-demand view", async () => {
    await expect(
      createOnDemandView({ ctx, input: { project: P, spec: spec({ name: "driver_hourly_stats" }) } }),
    ).rejects.toMatchObject({ code: "CONFLICT", field: "name" });
    await expect(
      createFeatureView({ ctx, input: { project: P, spec: driverViewSpec({ name: "driver_scores" }) } }),
    ).rejects.toMatchObject({ code: "CONFLICT", field: "name" });
    await expect(createOnDemandView({ ctx, input: { project: P, spec: spec() } })).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("updates to a new version from the current one; a stale base or bad expression is refused", async () => {
    const next = spec({
      fields: [
        {
          name: "boosted",
          dtype: "float64",
          expression: "driver_hourly_stats.conv_rate * request.boost * 2.0",
        },
      ],
    });
    const v2 = await updateOnDemandView({ ctx, input: { project: P, baseVersion: 1, spec: next } });
    expect(v2).toMatchObject({ version: 2, changed: true });
    const same = await updateOnDemandView({ ctx, input: { project: P, baseVersion: 2, spec: next } });
    expect(same).toMatchObject({ version: 2, changed: false });
    await expect(
      updateOnDemandView({ ctx, input: { project: P, baseVersion: 1, spec: next } }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      field: "baseVersion",
    });
    await expect(
      updateOnDemandView({
        ctx,
        input: {
          project: P,
          baseVersion: 2,
          spec: spec({ fields: [{ name: "boosted", dtype: "int64", expression: "request.boost" }] }),
        },
      }),
    ).rejects.toMatchObject({ code: "INVALID", field: "fields.0.expression" });
    const v1 = await getOnDemandView({ ctx, input: { project: P, name: "driver_scores", version: 1 } });
    expect(v1.spec.fields).toHaveLength(2);
    expect((await getOnDemandView({ ctx, input: { project: P, name: "driver_scores" } })).version).toBe(2);
  });

  it("deletes a view and its versions", async () => {
    await createOnDemandView({ ctx, input: { project: P, spec: spec({ name: "gone_soon" }) } });
    await deleteOnDemandView({ ctx, input: { project: P, name: "gone_soon" } });
    await expect(getOnDemandView({ ctx, input: { project: P, name: "gone_soon" } })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });
});

describe("feature views read by on-demand views", () => {
  it("cannot be deleted while an on-demand view reads them; the refusal names it", async () => {
    const { featureViewDependantsOp, deleteFeatureView } = await import("../registry/lifecycle");
    expect(
      (
        await featureViewDependantsOp.call({ ctx, input: { project: P, name: "driver_hourly_stats" } })
      ).dependants.filter((d) => d.kind === "on_demand_view"),
    ).toEqual([{ kind: "on_demand_view", name: "driver_scores", relation: "reads" }]);
    await expect(
      deleteFeatureView({ ctx, input: { project: P, name: "driver_hourly_stats" } }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/on-demand view "driver_scores"/),
    });
  });
});
