import { randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, redisUrlOrSkip, type TestDb, testCtx } from "../../../test/db";
import { driverViewSpec, seedBasics } from "../../../test/fixtures/registry";
import type { Ctx } from "../../core/context";
import { ConflictError, InvalidError, NotFoundError } from "../../core/errors";
import { auditLog, datasetFeatureViews, datasets, entities, materializationRuns } from "../../db/schema";
import { entityKey } from "../../online/entity-key";
import { createPostgresOnlineStore } from "../../online/postgres-store";
import { connectRedis, createRedisOnlineStore } from "../../online/redis-store";
import { deleteByPrefix } from "../../online/test-redis";
import type { OnlineStore } from "../../online/types";
import {
  createConsumer,
  createDataSource,
  createEntity,
  createFeatureService,
  createFeatureView,
  getEntity,
  getFeatureView,
} from "../index";
import {
  deleteConsumer,
  deleteDataSource,
  deleteEntity,
  deleteFeatureService,
  deleteFeatureView,
} from "./delete";

let t: TestDb;
let ctx: Ctx;
const P = "proj";

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
});
afterAll(() => t.drop());

async function auditOf(action: string, name: string) {
  return t.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.objectName, name)));
}

describe("deleting registry objects", () => {
  it("refuses an entity keyed by views and a source read by them, naming the views; nothing is deleted", async () => {
    await createFeatureView({ ctx, input: { project: P, spec: driverViewSpec({ name: "keyed_a" }) } });
    await createFeatureView({ ctx, input: { project: P, spec: driverViewSpec({ name: "keyed_b" }) } });
    const entity = deleteEntity({ ctx, input: { project: P, name: "driver" } });
    await expect(entity).rejects.toThrow(ConflictError);
    await expect(entity).rejects.toThrow(
      'entity "driver" cannot be deleted: feature view "keyed_a", feature view "keyed_b" depend on it',
    );
    await expect(
      deleteDataSource({ ctx, input: { project: P, name: "driver_stats_source" } }),
    ).rejects.toThrow(
      /data source "driver_stats_source" cannot be deleted: feature view "keyed_a", feature view "keyed_b"/,
    );
    expect((await getEntity({ ctx, input: { project: P, name: "driver" } })).name).toBe("driver");
    expect(await auditOf("entity.delete", "driver")).toEqual([]);
    await deleteFeatureView({ ctx, input: { project: P, name: "keyed_a" } });
    await deleteFeatureView({ ctx, input: { project: P, name: "keyed_b" } });
  });

  it("deletes an unused entity and source, audited with the row as it was", async () => {
    await createEntity({
      ctx,
      input: { project: P, name: "rider", joinKey: "rider_id", valueType: "string" },
    });
    expect(await deleteEntity({ ctx, input: { project: P, name: "rider" } })).toEqual({
      kind: "entity",
      name: "rider",
    });
    await expect(getEntity({ ctx, input: { project: P, name: "rider" } })).rejects.toThrow(NotFoundError);
    const [entry] = await auditOf("entity.delete", "rider");
    expect(entry?.objectType).toBe("entity");
    expect(entry?.before).toMatchObject({ joinKey: "rider_id" });

    await createDataSource({
      ctx,
      input: {
        project: P,
        name: "spare",
        kind: "table",
        tableName: "proj.driver_stats",
        timestampField: "event_timestamp",
      },
    });
    await deleteDataSource({ ctx, input: { project: P, name: "spare" } });
    expect(await auditOf("data_source.delete", "spare")).toHaveLength(1);
    await expect(deleteDataSource({ ctx, input: { project: P, name: "spare" } })).rejects.toThrow(
      'data source "spare" not found in project "proj"',
    );
  });

  it("refuses a view projected by a service, built into a dataset or being materialized; a service read by a consumer", async () => {
    const view = await createFeatureView({
      ctx,
      input: { project: P, spec: driverViewSpec({ name: "used" }) },
    });
    await createFeatureService({
      ctx,
      input: { project: P, name: "svc_used", features: ["used:conv_rate"] },
    });
    await createConsumer({
      ctx,
      input: { project: P, name: "model_used", kind: "model", featureServices: ["svc_used"] },
    });
    const [p] = await t.pool
      .query<{ id: string }>("select id from projects where name = $1", [P])
      .then((r) => r.rows);
    const [ds] = await t.db
      .insert(datasets)
      .values({
        projectId: p?.id ?? "",
        name: "trained_rows",
        entitySourceKind: "query",
        entitySource: { kind: "query", sql: "select 1" },
        createdBy: "test",
      })
      .returning();
    await t.db
      .insert(datasetFeatureViews)
      .values({ datasetId: ds?.id ?? "", featureViewId: view.id, featureViewVersion: 1 });
    const runId = randomUUID();
    await t.db.insert(materializationRuns).values({
      id: runId,
      projectId: p?.id ?? "",
      featureViewId: view.id,
      featureViewVersion: 1,
      kind: "range",
      status: "running",
      startTs: new Date("2026-01-01T00:00:00Z"),
      endTs: new Date("2026-01-02T00:00:00Z"),
      triggeredBy: "test",
    });

    await expect(deleteFeatureView({ ctx, input: { project: P, name: "used" } })).rejects.toThrow(
      `feature view "used" cannot be deleted: feature service "svc_used", saved dataset "trained_rows", active materialization run "${runId}" depend on it`,
    );
    await expect(deleteFeatureService({ ctx, input: { project: P, name: "svc_used" } })).rejects.toThrow(
      'feature service "svc_used" cannot be deleted: consumer "model_used" depends on it',
    );
    // Undo the dependants one by one, from the top: then each delete goes through.
    await deleteConsumer({ ctx, input: { project: P, name: "model_used" } });
    await deleteFeatureService({ ctx, input: { project: P, name: "svc_used" } });
    await t.db.delete(datasets).where(eq(datasets.id, ds?.id ?? ""));
    await expect(deleteFeatureView({ ctx, input: { project: P, name: "used" } })).rejects.toThrow(
      /active materialization run/,
    );
    await t.db
      .update(materializationRuns)
      .set({ status: "succeeded" })
      .where(eq(materializationRuns.id, runId));
    await deleteFeatureView({ ctx, input: { project: P, name: "used" } });
    await expect(getFeatureView({ ctx, input: { project: P, name: "used" } })).rejects.toThrow(NotFoundError);
    // Its runs went with it.
    expect(await t.db.select().from(materializationRuns).where(eq(materializationRuns.id, runId))).toEqual(
      [],
    );
  });

  it("names a view committed between the check and the delete (the lock makes the delete wait for it)", async () => {
    await createEntity({
      ctx,
      input: { project: P, name: "racer", joinKey: "driver_id", valueType: "int64" },
    });
    const [racer] = await t.db.select().from(entities).where(eq(entities.name, "racer"));
    await createFeatureView({ ctx, input: { project: P, spec: driverViewSpec({ name: "race_view" }) } });
    const view = await getFeatureView({ ctx, input: { project: P, name: "race_view" } });
    // Another session links a view to the entity and holds its transaction open.
    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    try {
      await other.query("begin");
      await other.query(
        "insert into feature_view_entities (feature_view_id, entity_id, position) values ($1, $2, 1)",
        [view.id, racer?.id],
      );
      const deleting = deleteEntity({ ctx, input: { project: P, name: "racer" } }).then(
        () => "deleted",
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 300));
      await other.query("commit");
      const outcome = await deleting;
      expect(outcome).toBeInstanceOf(ConflictError);
      expect((outcome as Error).message).toMatch(
        /entity "racer" cannot be deleted: feature view "race_view"/,
      );
    } finally {
      await other.end();
    }
    expect(await getEntity({ ctx, input: { project: P, name: "racer" } })).toBeTruthy();
  });

  it("refuses names that are not names (SQL in them) with a 400, and objects of another project as missing", async () => {
    await expect(
      deleteEntity({ ctx, input: { project: P, name: "driver'; delete from entities; --" } }),
    ).rejects.toThrow(InvalidError);
    await seedBasics(ctx, t, "other");
    await expect(
      deleteFeatureView({ ctx, input: { project: "other", name: "driver_hourly_stats" } }),
    ).rejects.toThrow(NotFoundError);
    expect((await getEntity({ ctx, input: { project: P, name: "driver" } })).name).toBe("driver");
  });
});

const redisUrl = redisUrlOrSkip();
const stores: [string, boolean, () => Promise<{ store: OnlineStore; close: () => Promise<void> }>][] = [
  ["postgres", false, async () => ({ store: createPostgresOnlineStore(t.pool), close: async () => {} })],
  [
    "redis",
    !redisUrl,
    async () => {
      const client = connectRedis(redisUrl ?? "");
      const prefix = `test:${randomBytes(6).toString("hex")}:`;
      const store = createRedisOnlineStore(client, { prefix });
      return {
        store,
        close: async () => {
          await deleteByPrefix(client, prefix);
          await store.close();
        },
      };
    },
  ],
];

describe.each(stores)("deleting a view's online values (%s online store)", (kind, skip, open) => {
  it.skipIf(skip)("removes them, so a new view of the same name serves nothing of the old one", async () => {
    const { store, close } = await open();
    try {
      const c = testCtx(t, { online: store });
      const name = `served_${kind}`;
      await createFeatureView({ ctx: c, input: { project: P, spec: driverViewSpec({ name }) } });
      const key = entityKey({ driver_id: 7 });
      await store.write(P, name, [
        {
          entityKey: key,
          values: { conv_rate: 0.5, acc_rate: 0.25, avg_daily_trips: 3 },
          eventTs: new Date("2026-01-01T00:00:00Z"),
        },
      ]);
      await store.write(P, "driver_hourly_stats_kept", [
        { entityKey: key, values: { conv_rate: 0.9 }, eventTs: new Date("2026-01-01T00:00:00Z") },
      ]);
      const read = (view: string) => store.read(P, [{ featureView: view, features: ["conv_rate"] }], [key]);
      expect((await read(name))[0]?.[0]?.values).toEqual({ conv_rate: 0.5 });

      await deleteFeatureView({ ctx: c, input: { project: P, name } });
      expect(await read(name)).toEqual([[null]]);
      expect((await read("driver_hourly_stats_kept"))[0]?.[0]?.values).toEqual({ conv_rate: 0.9 });

      await createFeatureView({ ctx: c, input: { project: P, spec: driverViewSpec({ name }) } });
      expect(await read(name)).toEqual([[null]]);
    } finally {
      await close();
    }
  });
});
