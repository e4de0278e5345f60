import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import { streamViewSpec } from "../../test/matrix/trpc-stream-inputs";
import type { Ctx } from "../core/context";
import { ConflictError, InvalidError, NotFoundError } from "../core/errors";
import { auditLog } from "../db/schema";
import { createFeatureView } from "../registry";
import {
  allStreamViews,
  createStreamView,
  deleteStreamView,
  getStreamView,
  listStreamViews,
  updateStreamView,
} from "./registry";

let t: TestDb;
let ctx: Ctx;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
  await createFeatureView({ ctx, input: { project: "proj", spec: driverViewSpec() } });
});
afterAll(async () => {
  await t?.drop();
});

describe("stream views in the registry", () => {
  it("creates, reads, versions, lists and deletes a view, with an audit row for each change", async () => {
    const v1 = await createStreamView({ ctx, input: { project: "proj", spec: streamViewSpec("trips") } });
    expect(v1).toMatchObject({ name: "trips", version: 1, currentVersion: 1, joinKeys: ["driver_id"] });
    expect(v1.spec).toMatchObject({ tileSeconds: 60, allowedLatenessSeconds: 60, eventIdField: null });
    expect(v1.spec.aggregations[0]).toEqual({
      name: "trips_5m",
      column: "",
      function: "count",
      windowSeconds: 300,
      kind: "sliding",
    });

    const spec2 = {
      ...streamViewSpec("trips"),
      aggregations: [
        ...streamViewSpec("trips").aggregations,
        { name: "fare_sum_1h", column: "fare", function: "sum" as const, windowSeconds: 3600 },
      ],
    };
    const v2 = await updateStreamView({ ctx, input: { project: "proj", expectedVersion: 1, spec: spec2 } });
    expect(v2).toMatchObject({ version: 2, currentVersion: 2 });
    // a stale edit is refused, and nothing is written
    await expect(
      updateStreamView({ ctx, input: { project: "proj", expectedVersion: 1, spec: spec2 } }),
    ).rejects.toThrow(ConflictError);
    // version 1 reads back as it was
    const back = await getStreamView({ ctx, input: { project: "proj", name: "trips", version: 1 } });
    expect(back.spec.aggregations).toHaveLength(1);
    expect(back.currentVersion).toBe(2);
    expect((await listStreamViews({ ctx, input: { project: "proj" } })).map((v) => v.name)).toEqual([
      "trips",
    ]);
    expect((await allStreamViews(ctx)).map((v) => [v.project, v.name, v.version])).toEqual([
      ["proj", "trips", 2],
    ]);

    await deleteStreamView({ ctx, input: { project: "proj", name: "trips" } });
    await expect(getStreamView({ ctx, input: { project: "proj", name: "trips" } })).rejects.toThrow(
      NotFoundError,
    );
    const audit = await t.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(and(eq(auditLog.objectType, "stream_view"), eq(auditLog.objectName, "trips")))
      .orderBy(auditLog.id);
    expect(audit.map((a) => a.action)).toEqual([
      "stream_view.create",
      "stream_view.update",
      "stream_view.delete",
    ]);
  });

  it("refuses bad specs with a 4xx naming the field, writing nothing", async () => {
    const refused = async (
      spec: unknown,
      field: string,
      kind: typeof InvalidError | typeof ConflictError = InvalidError,
    ) => {
      const e = await createStreamView({ ctx, input: { project: "proj", spec } as never }).catch(
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(kind);
      expect((e as InvalidError).field).toBe(field);
    };
    const base = streamViewSpec("bad_view");
    await refused({ ...base, entities: ["rider"] }, "spec.entities.0");
    await refused(
      { ...base, aggregations: [{ name: "a", function: "count", windowSeconds: 90 }] },
      "spec.aggregations.0.windowSeconds",
    );
    await refused(
      { ...base, aggregations: [{ name: "a", function: "sum", windowSeconds: 60 }] },
      "spec.aggregations.0.column",
    );
    await refused({ ...base, stream: { adapter: "redis", key: "qs:p:v:state" } }, "spec.stream.key");
    // Another project's stream (one Redis serves every project): its events are not this project's.
    await refused({ ...base, stream: { adapter: "redis", key: "other:trips" } }, "spec.stream.key");
    await refused({ ...base, stream: { adapter: "redis", key: "proj_b:trips" } }, "spec.stream.key");
    await refused({ ...base, name: "driver_hourly_stats" }, "spec.name", ConflictError);
    expect(await listStreamViews({ ctx, input: { project: "proj" } })).toEqual([]);

    await createStreamView({ ctx, input: { project: "proj", spec: base } });
    const e = await updateStreamView({
      ctx,
      input: { project: "proj", expectedVersion: 1, spec: { ...base, tileSeconds: 30 } },
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InvalidError);
    expect((e as InvalidError).field).toBe("spec.tileSeconds");
    // An update cannot move the view onto another project's stream either.
    const moved = await updateStreamView({
      ctx,
      input: { project: "proj", expectedVersion: 1, spec: { ...base, stream: { key: "other:trips" } } },
    }).catch((x: unknown) => x);
    expect(moved).toBeInstanceOf(InvalidError);
    expect((moved as InvalidError).field).toBe("spec.stream.key");
    expect((await getStreamView({ ctx, input: { project: "proj", name: "bad_view" } })).currentVersion).toBe(
      1,
    );
  });
});
