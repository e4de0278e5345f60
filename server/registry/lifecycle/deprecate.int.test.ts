import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../../test/db";
import { driverViewSpec, seedBasics } from "../../../test/fixtures/registry";
import type { Ctx } from "../../core/context";
import { ConflictError, InvalidError, NotFoundError } from "../../core/errors";
import { auditLog } from "../../db/schema";
import {
  createEntity,
  createFeatureService,
  createFeatureView,
  getEntity,
  getFeatureService,
  getFeatureView,
  listDataSources,
  listFeatureViews,
} from "../index";
import { deleteEntity } from "./delete";
import {
  deprecateDataSourceOp,
  deprecateEntityOp,
  deprecateFeatureServiceOp,
  deprecateFeatureViewOp,
  undeprecateEntityOp,
} from "./deprecate";

let t: TestDb;
let ctx: Ctx;
const P = "proj";

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
  await seedBasics(ctx, t, "other");
  await createEntity({
    ctx,
    input: { project: P, name: "driver_v2", joinKey: "driver_id", valueType: "int64" },
  });
  await createFeatureView({ ctx, input: { project: P, spec: driverViewSpec() } });
  await createFeatureView({ ctx, input: { project: P, spec: driverViewSpec({ name: "driver_stats_v2" }) } });
});
afterAll(() => t.drop());

describe("deprecation", () => {
  it("is shown by get and list of every kind, and cleared by undeprecate; both audited", async () => {
    const before = Date.now();
    const state = await deprecateEntityOp.call({
      ctx,
      input: { project: P, name: "driver", note: "keyed by the old id", replacedBy: "driver_v2" },
    });
    expect(state).toMatchObject({
      kind: "entity",
      name: "driver",
      deprecationNote: "keyed by the old id",
      replacedBy: "driver_v2",
    });
    expect(state.deprecatedAt?.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(await getEntity({ ctx, input: { project: P, name: "driver" } })).toMatchObject({
      deprecationNote: "keyed by the old id",
      replacedBy: "driver_v2",
    });

    await deprecateFeatureViewOp.call({
      ctx,
      input: { project: P, name: "driver_hourly_stats", note: "use v2", replacedBy: "driver_stats_v2" },
    });
    const view = await getFeatureView({ ctx, input: { project: P, name: "driver_hourly_stats" } });
    expect(view.replacedBy).toBe("driver_stats_v2");
    expect(view.deprecatedAt).toBeInstanceOf(Date);
    const listed = await listFeatureViews({ ctx, input: { project: P } });
    expect(listed.find((v) => v.name === "driver_hourly_stats")?.deprecationNote).toBe("use v2");
    expect(listed.find((v) => v.name === "driver_stats_v2")?.deprecatedAt).toBeNull();

    await deprecateDataSourceOp.call({
      ctx,
      input: { project: P, name: "driver_stats_source", note: "moving to the lake" },
    });
    expect((await listDataSources({ ctx, input: { project: P } }))[0]).toMatchObject({
      deprecationNote: "moving to the lake",
      replacedBy: null,
    });

    // Deprecating again keeps the first date and replaces note and replacement.
    const again = await deprecateEntityOp.call({
      ctx,
      input: { project: P, name: "driver", note: "still old" },
    });
    expect(again.deprecatedAt).toEqual(state.deprecatedAt);
    expect(again.replacedBy).toBeNull();

    expect(await undeprecateEntityOp.call({ ctx, input: { project: P, name: "driver" } })).toEqual({
      kind: "entity",
      name: "driver",
      deprecatedAt: null,
      deprecationNote: "",
      replacedBy: null,
    });
    const actions = await t.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(and(eq(auditLog.objectType, "entity"), eq(auditLog.objectName, "driver")));
    expect(actions.map((a) => a.action).filter((a) => a.includes("deprecate"))).toEqual([
      "entity.deprecate",
      "entity.deprecate",
      "entity.undeprecate",
    ]);
  });

  it("refuses a replacement that is missing, itself, of another project or a cycle (400), writing nothing", async () => {
    const refused: [string, RegExp][] = [
      ["ghost", /replacedBy: entity "ghost" does not exist in project "proj"/],
      ["driver", /replacedBy: an entity cannot replace itself/],
    ];
    for (const [replacedBy, message] of refused) {
      const call = deprecateEntityOp.call({
        ctx,
        input: { project: P, name: "driver", note: "n", replacedBy },
      });
      await expect(call).rejects.toThrow(InvalidError);
      await expect(call).rejects.toThrow(message);
    }
    // "other" has an entity of that name, but names are per project: another project's is missing.
    await createEntity({
      ctx,
      input: { project: "other", name: "rider", joinKey: "rider_id", valueType: "string" },
    });
    await expect(
      deprecateEntityOp.call({ ctx, input: { project: P, name: "driver", note: "n", replacedBy: "rider" } }),
    ).rejects.toThrow(/entity "rider" does not exist in project "proj"/);
    // A view is not an entity.
    await expect(
      deprecateEntityOp.call({
        ctx,
        input: { project: P, name: "driver", note: "n", replacedBy: "driver_stats_v2" },
      }),
    ).rejects.toThrow(/does not exist/);
    await deprecateEntityOp.call({
      ctx,
      input: { project: P, name: "driver_v2", note: "n", replacedBy: "driver" },
    });
    await expect(
      deprecateEntityOp.call({
        ctx,
        input: { project: P, name: "driver", note: "n", replacedBy: "driver_v2" },
      }),
    ).rejects.toThrow(/that would be a cycle/);
    await expect(
      deprecateEntityOp.call({ ctx, input: { project: P, name: "driver", note: "  " } }),
    ).rejects.toThrow(/note/);
    await expect(
      deprecateEntityOp.call({ ctx, input: { project: P, name: "nobody", note: "n" } }),
    ).rejects.toThrow(NotFoundError);
    expect((await getEntity({ ctx, input: { project: P, name: "driver" } })).deprecatedAt).toBeNull();
    await undeprecateEntityOp.call({ ctx, input: { project: P, name: "driver_v2" } });
  });

  it("keeps a named replacement from being deleted while it is named (409 naming the deprecated object)", async () => {
    await createEntity({ ctx, input: { project: P, name: "spare_a", joinKey: "a", valueType: "int64" } });
    await createEntity({ ctx, input: { project: P, name: "spare_b", joinKey: "b", valueType: "int64" } });
    await deprecateEntityOp.call({
      ctx,
      input: { project: P, name: "spare_a", note: "n", replacedBy: "spare_b" },
    });
    const call = deleteEntity({ ctx, input: { project: P, name: "spare_b" } });
    await expect(call).rejects.toThrow(ConflictError);
    await expect(call).rejects.toThrow(/deprecated entity "spare_a" \(names it as its replacement\)/);
  });

  it("a deprecated service still resolves (serving continues)", async () => {
    await createFeatureService({
      ctx,
      input: { project: P, name: "svc", features: ["driver_hourly_stats:conv_rate"] },
    });
    await deprecateFeatureServiceOp.call({ ctx, input: { project: P, name: "svc", note: "n" } });
    expect((await getFeatureService({ ctx, input: { project: P, name: "svc" } })).features).toEqual([
      "driver_hourly_stats:conv_rate",
    ]);
  });
});
