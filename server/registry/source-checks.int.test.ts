import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import type { Ctx } from "../core/context";
import { ConflictError, InvalidError } from "../core/errors";
import { dataSources, featureViews } from "../db/schema";
import {
  createDataSource,
  createEntity,
  createFeatureView,
  getDataSource,
  getFeatureView,
  updateDataSource,
  updateEntity,
  updateFeatureView,
} from "./index";

let t: TestDb;
let ctx: Ctx;
const P = "proj";

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
  await seedBasics(ctx, t, "other");
  await t.offlineSql(
    P,
    `create table typed (driver_id bigint, ts timestamptz, ts_text text, n_small smallint, n_int integer,
       n_big bigint, n_num numeric, x_real real, x_double float8, label varchar(20), flag boolean, payload jsonb,
       happened timestamp, scores float8[])`,
  );
});
afterAll(() => t.drop());

async function count(table: typeof dataSources | typeof featureViews) {
  return (await t.db.select().from(table)).length;
}

async function refusal(p: Promise<unknown>) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, "expected a refusal").toBeInstanceOf(Error);
  return e as InvalidError;
}

const table = (over: Record<string, unknown>) => ({
  project: P,
  name: "typed_source",
  kind: "table" as const,
  tableName: "proj.typed",
  timestampField: "ts",
  ...over,
});

describe("a source is checked when it is created or changed", () => {
  it("refuses a missing table, a missing or non-time timestamp column and a mapping to a missing column; nothing is written", async () => {
    const before = await count(dataSources);
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ tableName: "proj.nope" }, "tableName", /relation "proj.nope" does not exist/],
      [{ timestampField: "when" }, "timestampField", /has no timestamp column "when"/],
      [
        { timestampField: "n_int" },
        "timestampField",
        /timestamp column "n_int" must be a date, timestamp or timestamptz/,
      ],
      [
        { createdTimestampField: "label" },
        "createdTimestampField",
        /created timestamp column "label" must be/,
      ],
      [{ fieldMapping: { ghost_col: "rate" } }, "fieldMapping", /no column "ghost_col"/],
      [
        { kind: "query", tableName: undefined, query: "select driver_id from proj.typed" },
        "timestampField",
        /no timestamp column "ts"/,
      ],
      [
        { kind: "query", tableName: undefined, query: "select * from proj.nothing_here" },
        "query",
        /"proj.nothing_here" does not exist/,
      ],
    ];
    for (const [over, field, message] of cases) {
      const e = await refusal(createDataSource({ ctx, input: table(over) }));
      expect(e, JSON.stringify(over)).toBeInstanceOf(InvalidError);
      expect(e.field, JSON.stringify(over)).toBe(field);
      expect(e.message).toMatch(message);
    }
    expect(await count(dataSources)).toBe(before);
    // A query that runs with its columns passes, as does the table.
    await createDataSource({
      ctx,
      input: table({
        name: "typed_query",
        kind: "query",
        tableName: undefined,
        query: "select * from proj.typed",
      }),
    });
    await createDataSource({ ctx, input: table({ createdTimestampField: "happened" }) });
  });

  it("refuses (attacks) another project's table, a system catalog and a query reading pg_authid", async () => {
    const before = await count(dataSources);
    const attacks: Record<string, unknown>[] = [
      { name: "steal", tableName: "other.driver_stats", timestampField: "event_timestamp" },
      { name: "steal", tableName: "pg_catalog.pg_authid", timestampField: "event_timestamp" },
      { name: "steal", tableName: "public.api_keys", timestampField: "event_timestamp" },
      {
        name: "steal",
        kind: "query",
        tableName: undefined,
        query: "select rolpassword, now() as ts from pg_authid",
      },
      {
        name: "steal",
        kind: "query",
        tableName: undefined,
        query: "select *, now() as ts from other.driver_stats",
      },
      { name: "steal", kind: "query", tableName: undefined, query: "select pg_sleep(30), now() as ts" },
    ];
    for (const attack of attacks) {
      const e = await refusal(createDataSource({ ctx, input: table(attack) }));
      expect(e.code, JSON.stringify(attack)).toMatch(/INVALID|FORBIDDEN/);
      expect(e.message).not.toMatch(/SCRAM|md5/);
    }
    expect(await count(dataSources)).toBe(before);
  });

  it("refuses a change that would break a view reading the source (409 naming it), and keeps the old definition", async () => {
    await createFeatureView({
      ctx,
      input: {
        project: P,
        spec: driverViewSpec({
          name: "typed_view",
          source: "typed_source",
          fields: [{ name: "n_big", dtype: "int64" }],
        }),
      },
    });
    const e = await refusal(updateDataSource({ ctx, input: table({ fieldMapping: { label: "n_big" } }) }));
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toMatch(
      /read by feature view "typed_view", which this change would break: .*declared int64 but its column "label".*is varchar/,
    );
    const e2 = await refusal(
      updateDataSource({
        ctx,
        input: table({ tableName: "proj.driver_stats", timestampField: "event_timestamp" }),
      }),
    );
    expect(e2).toBeInstanceOf(ConflictError);
    expect(e2.message).toMatch(/typed_view.*no column "n_big"/);
    expect((await getDataSource({ ctx, input: { project: P, name: "typed_source" } })).tableName).toBe(
      "proj.typed",
    );
    // n_int (integer) mapped onto the int64 feature is a safe cast: that change passes.
    const ok = await updateDataSource({
      ctx,
      input: table({ fieldMapping: { n_int: "n_big" }, description: "mapped" }),
    });
    expect(ok.fieldMapping).toEqual({ n_int: "n_big" });
    await updateDataSource({ ctx, input: table({}) });
  });
});

describe("a view's declared types are checked against its source's columns", () => {
  const view = (fields: { name: string; dtype: string }[]) =>
    driverViewSpec({ name: "typed_fields", source: "typed_source", fields: fields as never });
  const refusedView = (fields: { name: string; dtype: string }[]) => ({
    ...view(fields),
    name: "typed_refused",
  });

  it("accepts exact types and safe casts", async () => {
    await createFeatureView({
      ctx,
      input: {
        project: P,
        spec: view([
          { name: "n_small", dtype: "int32" },
          { name: "n_int", dtype: "float64" },
          { name: "x_real", dtype: "float64" },
          { name: "label", dtype: "string" },
          { name: "flag", dtype: "bool" },
          { name: "happened", dtype: "unix_timestamp" },
          { name: "scores", dtype: "list<float64>" },
        ]),
      },
    });
    expect(
      (await getFeatureView({ ctx, input: { project: P, name: "typed_fields" } })).spec.fields,
    ).toHaveLength(7);
  });

  it("refuses a lossy or wrong type naming the field, the column type and what would be accepted; nothing is written", async () => {
    const cases: [string, string, RegExp][] = [
      [
        "label",
        "int64",
        /field "label" is declared int64 but its column "label" in source "typed_source" is varchar; declare it as string/,
      ],
      [
        "n_big",
        "float64",
        /is bigint; declare it as int64 \(float64 accepts double precision, real, integer, smallint\)/,
      ],
      ["n_num", "float64", /is numeric; declare it as string/],
      ["x_double", "float32", /is double precision; declare it as float64/],
      ["n_int", "string", /is integer; declare it as int32 or int64 or float64/],
      ["payload", "string", /is jsonb/],
      ["scores", "float64", /is double precision\[\]; declare it as list<float64>/],
    ];
    const before = await count(featureViews);
    for (const [name, dtype, message] of cases) {
      const e = await refusal(
        createFeatureView({
          ctx,
          input: { project: P, spec: refusedView([{ name, dtype }]) },
        }).then(
          () => undefined,
          (err: unknown) => {
            throw err;
          },
        ),
      );
      expect(e, `${name} as ${dtype}`).toBeInstanceOf(InvalidError);
      expect(e.field).toBe("fields.0.dtype");
      expect(e.message).toMatch(message);
    }
    expect(await count(featureViews)).toBe(before);
    const cur = await getFeatureView({ ctx, input: { project: P, name: "typed_fields" } });
    const e = await refusal(
      updateFeatureView({
        ctx,
        input: {
          project: P,
          baseVersion: cur.currentVersion,
          spec: { ...cur.spec, fields: [{ ...cur.spec.fields[0], name: "label", dtype: "int32" } as never] },
        },
      }),
    );
    expect(e.message).toMatch(/fields.0.dtype: field "label" is declared int32/);
    expect((await getFeatureView({ ctx, input: { project: P, name: "typed_fields" } })).currentVersion).toBe(
      cur.currentVersion,
    );
  });

  it("checks a join key's column against its entity's value type", async () => {
    await createEntity({
      ctx,
      input: { project: P, name: "labelled", joinKey: "label", valueType: "int64" },
    });
    const e = await refusal(
      createFeatureView({
        ctx,
        input: {
          project: P,
          spec: driverViewSpec({
            name: "by_label",
            source: "typed_source",
            entities: ["labelled"],
            fields: [{ name: "n_big", dtype: "int64" }],
          }),
        },
      }),
    );
    expect(e.field).toBe("entities.0");
    expect(e.message).toMatch(
      /join key "label" of entity "labelled" is int64 but source "typed_source" has it as varchar/,
    );
  });

  it("refuses to change an entity's join key while views use it, naming them", async () => {
    const e = await refusal(
      updateEntity({ ctx, input: { project: P, name: "driver", joinKey: "rider_id", valueType: "int64" } }),
    );
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.message).toMatch(/entity "driver" keys feature view "typed_fields", "typed_view"/);
  });
});
