import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import type { Role } from "../auth/roles";
import type { Actor, Ctx } from "../core/context";
import { dataSources } from "../db/schema";
import { connectRedis, createRedisOnlineStore } from "../online/redis-store";
import type { OnlineStore } from "../online/types";
import { push } from "../serving";
import { createCaller } from "../trpc/root";
import {
  createConsumer,
  createDataSource,
  createFeatureService,
  createFeatureView,
  updateFeatureView,
} from ".";

/**
 * The object pages' new doors on real Postgres (and Redis when REDIS_URL is set): a source's rows
 * and columns, a view's projected rows, a feature's history, a service's and a consumer's reads,
 * and online lookups over tRPC. Expected answers are written by hand from the rows inserted here.
 * The attacks: a viewer asking for values, a source pointing where the project may not read, a
 * LIMIT beyond the bound, a slow source, an error that would quote a value.
 */

let t: TestDb;
let ctx: Ctx;
let projectId: string;
let online: OnlineStore;
let closeRedis: (() => Promise<unknown>) | undefined;

beforeAll(async () => {
  t = await createTestDb();
  if (process.env.REDIS_URL) {
    const client = connectRedis(process.env.REDIS_URL);
    closeRedis = () => client.quit();
    online = createRedisOnlineStore(client, { prefix: `previews_${randomUUID().slice(0, 8)}:` });
  }
  ctx = testCtx(t, online ? { online } : {});
  online = ctx.online;
  await seedBasics(ctx, t, "proj");
  // 150 rows: drivers 1001..1150, one hour apart from 2026-01-01T00:00Z.
  await t.offlineSql(
    "proj",
    `insert into driver_stats (driver_id, event_timestamp, created, conv_rate, acc_rate, avg_daily_trips)
     select 1000 + i, timestamptz '2026-01-01 00:00:00+00' + (i - 1) * interval '1 hour', null,
            i / 1000.0, 0.5, i * 10
       from generate_series(1, 150) as i`,
  );
  await createFeatureView({ ctx, input: { project: "proj", spec: driverViewSpec() } });
  await createFeatureService({
    ctx,
    input: { project: "proj", name: "driver_activity", features: ["driver_hourly_stats:conv_rate"] },
  });
  await createConsumer({
    ctx,
    input: { project: "proj", name: "eta_model", kind: "model", featureServices: ["driver_activity"] },
  });
  const [p] = await t.db.query.projects.findMany();
  projectId = p?.id ?? "";
});
afterAll(async () => {
  await closeRedis?.();
  await t?.drop();
});

const keyActor = (role: Role): Actor => ({
  kind: "api_key",
  id: randomUUID(),
  name: `k_${role}`,
  projectId,
  role,
});
const as = (actor: Actor, c: Ctx = ctx) => createCaller({ actor, services: async () => ({ ...c, actor }) });

async function refusal(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => "allowed",
    (e: unknown) => (e instanceof TRPCError ? `${e.code}: ${e.message}` : `threw ${String(e)}`),
  );
}

describe("sources.preview", () => {
  it("gives a consumer the source's first rows, every column with Postgres' type, times in UTC text", async () => {
    const p = await as(keyActor("consumer")).sources.preview({
      project: "proj",
      name: "driver_stats_source",
      limit: 3,
    });
    expect(p.columns.slice(0, 6)).toEqual([
      { name: "driver_id", type: "bigint" },
      { name: "customer_id", type: "bigint" },
      { name: "event_timestamp", type: "timestamp with time zone" },
      { name: "created", type: "timestamp with time zone" },
      { name: "conv_rate", type: "double precision" },
      { name: "acc_rate", type: "double precision" },
    ]);
    expect(p.columns.find((c) => c.name === "rating")?.type).toBe("double precision[]");
    expect(p.rows).toHaveLength(3);
    const first = p.rows.find((r) => r[0] === "1001");
    expect(first?.slice(0, 7)).toEqual(["1001", null, "2026-01-01 00:00:00+00", null, 0.001, 0.5, "10"]);
  });

  it("answers 20 rows by default and at most 100; a limit outside 1..100 is a 400", async () => {
    const c = as(keyActor("consumer"));
    expect((await c.sources.preview({ project: "proj", name: "driver_stats_source" })).rows).toHaveLength(20);
    expect(
      (await c.sources.preview({ project: "proj", name: "driver_stats_source", limit: 100 })).rows,
    ).toHaveLength(100);
    for (const limit of [0, 101, 1_000_000, 2.5, -1])
      expect(
        await refusal(c.sources.preview({ project: "proj", name: "driver_stats_source", limit })),
      ).toMatch(/^BAD_REQUEST/);
  });

  it("refuses a viewer (values need the consumer role) but shows the viewer the columns", async () => {
    for (const actor of [keyActor("viewer")]) {
      expect(
        await refusal(as(actor).sources.preview({ project: "proj", name: "driver_stats_source" })),
      ).toMatch(/^FORBIDDEN/);
      expect(
        await refusal(as(actor).featureViews.preview({ project: "proj", name: "driver_hourly_stats" })),
      ).toMatch(/^FORBIDDEN/);
      const cols = await as(actor).sources.columns({ project: "proj", name: "driver_stats_source" });
      expect(cols.columns.map((c) => c.name).slice(0, 3)).toEqual([
        "driver_id",
        "customer_id",
        "event_timestamp",
      ]);
      expect(JSON.stringify(cols)).not.toContain("1001");
    }
  });

  it("names a source the project cannot read with a 400, never a 500, and quotes no value", async () => {
    const owner = as(keyActor("owner"));
    // A table of its own schema its reader was denied (a loader's table without grants).
    await t.offlineSql("proj", "create table secret_stats (driver_id bigint, event_timestamp timestamptz)");
    await t.offlineSql("proj", "insert into secret_stats values (4242, now())");
    await createDataSource({
      ctx,
      input: {
        project: "proj",
        name: "secret_source",
        kind: "table",
        tableName: "proj.secret_stats",
        timestampField: "event_timestamp",
      },
    });
    const reader = t.offline.roles("proj").reader;
    await t.offlineAdmin.query(`revoke select on proj.secret_stats from ${reader}`);
    const denied = await refusal(owner.sources.preview({ project: "proj", name: "secret_source" }));
    expect(denied).toBe('BAD_REQUEST: source "secret_source": permission denied (SQLSTATE 42501)');
    expect(await refusal(owner.sources.columns({ project: "proj", name: "secret_source" }))).toBe(denied);

    // A row stored before the rules (or by hand) naming a table outside the project's space.
    for (const tableName of ["public.api_keys", "other.driver_stats", "pg_catalog.pg_authid"]) {
      await t.db.insert(dataSources).values({
        projectId,
        name: `foreign_${tableName.split(".")[0]}`,
        kind: "table",
        tableName,
        timestampField: "event_timestamp",
      });
      const e = await refusal(
        owner.sources.preview({ project: "proj", name: `foreign_${tableName.split(".")[0]}` }),
      );
      expect(e).toMatch(/^BAD_REQUEST: /);
      expect(e).toContain("offline space");
    }
    // A table dropped since: the name it gave, nothing more.
    await t.offlineSql("proj", "create table gone (event_timestamp timestamptz)");
    await createDataSource({
      ctx,
      input: {
        project: "proj",
        name: "gone_source",
        kind: "table",
        tableName: "proj.gone",
        timestampField: "event_timestamp",
      },
    });
    await t.offlineSql("proj", "drop table gone");
    expect(await refusal(owner.sources.preview({ project: "proj", name: "gone_source" }))).toBe(
      'BAD_REQUEST: source "gone_source": relation "proj.gone" does not exist',
    );
    // A query source whose rows fail: the failing value never reaches the message.
    await createDataSource({
      ctx,
      input: {
        project: "proj",
        name: "bad_cast",
        kind: "query",
        query: "select (driver_id::text || 'x-secret')::int as n, event_timestamp from proj.driver_stats",
        timestampField: "event_timestamp",
      },
    });
    const cast = await refusal(owner.sources.preview({ project: "proj", name: "bad_cast" }));
    expect(cast).toBe(
      'BAD_REQUEST: source "bad_cast": a value has the wrong syntax for its type (SQLSTATE 22P02)',
    );
    expect(cast).not.toContain("secret");
    expect(await refusal(owner.sources.preview({ project: "proj", name: "no_such_source" }))).toBe(
      'NOT_FOUND: data source "no_such_source" not found in project "proj"',
    );
  });

  it("stops a slow source at the probe timeout with a 400 that says so", async () => {
    await createDataSource({
      ctx,
      input: {
        project: "proj",
        name: "slow_source",
        kind: "query",
        query:
          "select s.event_timestamp, g from proj.driver_stats s cross join generate_series(1, 100000000) g order by md5(g::text)",
        timestampField: "event_timestamp",
      },
    });
    const quick = {
      ...ctx,
      offline: t.openOffline({ timeouts: { probeMs: 300, scanMs: 300, writeMs: 300, lockMs: 300 } }),
    };
    const started = Date.now();
    expect(
      await refusal(
        as(keyActor("consumer"), quick).sources.preview({ project: "proj", name: "slow_source" }),
      ),
    ).toBe('BAD_REQUEST: source "slow_source": timed out after 0.3 s');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("featureViews.preview", () => {
  it("projects the source's rows to the view's join keys, event time and features (or one feature)", async () => {
    const c = as(keyActor("consumer"));
    const all = await c.featureViews.preview({ project: "proj", name: "driver_hourly_stats", limit: 2 });
    expect(all.columns).toEqual([
      { name: "driver_id", sourceColumn: "driver_id", role: "key", type: "bigint" },
      {
        name: "event_timestamp",
        sourceColumn: "event_timestamp",
        role: "time",
        type: "timestamp with time zone",
      },
      { name: "conv_rate", sourceColumn: "conv_rate", role: "feature", type: "double precision" },
      { name: "acc_rate", sourceColumn: "acc_rate", role: "feature", type: "double precision" },
      { name: "avg_daily_trips", sourceColumn: "avg_daily_trips", role: "feature", type: "bigint" },
    ]);
    expect(all.rows).toHaveLength(2);
    const one = await c.featureViews.preview({
      project: "proj",
      name: "driver_hourly_stats",
      feature: "avg_daily_trips",
      limit: 100,
    });
    expect(one.columns.map((x) => x.name)).toEqual(["driver_id", "event_timestamp", "avg_daily_trips"]);
    expect(one.rows).toHaveLength(100);
    expect(one.rows.find((r) => r[0] === "1002")).toEqual(["1002", "2026-01-01 01:00:00+00", "20"]);
    expect(
      await refusal(
        c.featureViews.preview({ project: "proj", name: "driver_hourly_stats", feature: "nope" }),
      ),
    ).toBe('NOT_FOUND: feature "nope" not found in feature view "driver_hourly_stats"');
    // A feature name is a Name: nothing else reaches the SQL.
    expect(
      await refusal(
        c.featureViews.preview({
          project: "proj",
          name: "driver_hourly_stats",
          feature: 'x" from pg_authid --',
        }),
      ),
    ).toMatch(/^BAD_REQUEST/);
  });
});

describe("features.history", () => {
  it("lists the versions in which the feature was added or changed, newest first, with what changed", async () => {
    await updateFeatureView({
      ctx,
      input: {
        project: "proj",
        baseVersion: 1,
        spec: driverViewSpec({ description: "only the view changed" }),
      },
    });
    const fields = driverViewSpec().fields;
    await updateFeatureView({
      ctx,
      input: {
        project: "proj",
        baseVersion: 2,
        spec: driverViewSpec({
          fields: fields.map((f) =>
            f.name === "conv_rate" ? { ...f, description: "Share of offers accepted" } : f,
          ),
        }),
      },
    });
    const h = await as(keyActor("viewer")).features.history({
      project: "proj",
      featureView: "driver_hourly_stats",
      feature: "conv_rate",
    });
    expect(h.map((e) => [e.version, e.kind, e.changes.map((c) => c.path)])).toEqual([
      [3, "changed", ["description"]],
      [1, "added", []],
    ]);
    expect(h[0]?.changes[0]).toMatchObject({
      before: "Share of offers the driver accepted",
      after: "Share of offers accepted",
    });
    expect(
      await refusal(
        as(keyActor("viewer")).features.history({
          project: "proj",
          featureView: "driver_hourly_stats",
          feature: "nope",
        }),
      ),
    ).toBe('NOT_FOUND: feature "nope" not found in feature view "driver_hourly_stats" in project "proj"');
  });
});

describe("the usage of services, consumers, entities and sources", () => {
  it("count the reads of the views they include and name those views", async () => {
    const viewer = as(keyActor("viewer"));
    const s = await viewer.featureServices.usage({ project: "proj", name: "driver_activity", days: 2 });
    expect(s).toMatchObject({ views: ["driver_hourly_stats"], reads: 0, lastReadAt: null, callers: [] });
    expect(s.declaredConsumers).toEqual([
      { name: "eta_model", kind: "model", owner: "", via: ["driver_activity"] },
    ]);
    expect(s.perDay).toHaveLength(2);
    const c = await viewer.consumers.usage({ project: "proj", name: "eta_model" });
    expect(c).toMatchObject({ views: ["driver_hourly_stats"], reads: 0, declaredConsumers: [] });
    expect(await refusal(viewer.consumers.usage({ project: "proj", name: "nobody" }))).toBe(
      'NOT_FOUND: consumer "nobody" not found in project "proj"',
    );
  });
  it("entities.usage and sources.usage count the reads of the views keyed by or fed by them", async () => {
    const viewer = as(keyActor("viewer"));
    const declared = [{ name: "eta_model", kind: "model", owner: "", via: ["driver_activity"] }];
    const e = await viewer.entities.usage({ project: "proj", name: "driver", days: 3 });
    expect(e).toMatchObject({ views: ["driver_hourly_stats"], reads: 0, callers: [] });
    expect(e.declaredConsumers).toEqual(declared);
    expect(e.perDay).toHaveLength(3);
    const s = await viewer.sources.usage({ project: "proj", name: "driver_stats_source" });
    expect(s).toMatchObject({ views: ["driver_hourly_stats"], reads: 0 });
    expect(s.declaredConsumers).toEqual(declared);
    expect(await refusal(viewer.entities.usage({ project: "proj", name: "nobody" }))).toBe(
      'NOT_FOUND: entity "nobody" not found in project "proj"',
    );
    expect(await refusal(viewer.sources.usage({ project: "proj", name: "nobody" }))).toBe(
      'NOT_FOUND: data source "nobody" not found in project "proj"',
    );
  });
});

describe("serving.getOnlineFeatures over tRPC", () => {
  it("answers a consumer the stored values and refuses a viewer", async () => {
    await push({
      ctx,
      input: {
        project: "proj",
        push_source_name: "driver_stats_source",
        to: "online",
        df: {
          driver_id: [1001],
          event_timestamp: [new Date().toISOString()],
          created: [null],
          conv_rate: [0.25],
          acc_rate: [0.5],
          avg_daily_trips: [7],
        },
      },
    });
    const input = {
      project: "proj",
      features: ["driver_hourly_stats:conv_rate"],
      entities: { driver_id: [1001, 9999] },
    };
    const r = await as(keyActor("consumer")).serving.getOnlineFeatures(input);
    expect(r.metadata.feature_names).toEqual(["driver_id", "conv_rate"]);
    expect(r.results[1]?.values).toEqual([0.25, null]);
    expect(r.results[1]?.statuses).toEqual(["PRESENT", "NOT_FOUND"]);
    expect(await refusal(as(keyActor("viewer")).serving.getOnlineFeatures(input))).toMatch(/^FORBIDDEN/);
  });
});
