import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../test/db";
import { entityKey } from "../online/entity-key";
import type { SourceDef, ViewColumns } from "./source-query";
import {
  checkSource,
  estimateLatestPerEntity,
  probeSource,
  readLatestPerEntity,
  type SourceRow,
} from "./source-reader";
import type { OfflineStore } from "./store";

let t: TestDb;
/** A store with one reader connection for the project: a connection left busy would block the next read. */
let single: OfflineStore;
const P = "proj";

const source: SourceDef = {
  name: "driver_stats",
  kind: "table",
  tableName: "proj.driver_stats",
  query: null,
  timestampField: "event_timestamp",
  createdTimestampField: "created",
  fieldMapping: { conv: "conv_rate" },
};

const view: ViewColumns = {
  joinKeys: [{ name: "driver_id", valueType: "int64" }],
  fields: [
    { name: "conv_rate", dtype: "float64" },
    { name: "trips", dtype: "int64" },
  ],
};

const at = (s: string) => new Date(`2026-01-01T${s}Z`);

beforeAll(async () => {
  t = await createTestDb();
  single = t.openOffline({ connectionsPerProject: 1, acquireTimeoutMs: 2_000 });
  await t.offlineSql(
    P,
    `
    create table driver_stats (
      driver_id bigint, conv double precision, trips bigint,
      event_timestamp timestamptz, created timestamptz);
    insert into driver_stats values
      -- driver 1: latest in window is 10:00 (11:00 is outside)
      (1, 0.1, 10, '2026-01-01T08:00:00Z', '2026-01-01T08:00:00Z'),
      (1, 0.2, 20, '2026-01-01T10:00:00Z', '2026-01-01T10:00:00Z'),
      (1, 0.9, 90, '2026-01-01T11:00:00Z', '2026-01-01T11:00:00Z'),
      -- driver 2: tie on event time, greater created wins, null created loses
      (2, 0.3, 30, '2026-01-01T09:00:00Z', '2026-01-01T09:00:00Z'),
      (2, 0.4, 40, '2026-01-01T09:00:00Z', '2026-01-01T09:30:00Z'),
      (2, 0.5, 50, '2026-01-01T09:00:00Z', null),
      -- driver 3: exactly on both bounds; latest is the end bound
      (3, 0.6, 60, '2026-01-01T07:00:00Z', null),
      (3, 0.7, 70, '2026-01-01T10:30:00Z', null),
      -- driver 4: only before the window
      (4, 0.8, 80, '2026-01-01T06:59:59Z', null),
      -- a huge id and a null driver (ignored)
      (9007199254740993, 1.5, 9007199254740993, '2026-01-01T08:00:00Z', null),
      (null, 0.0, 0, '2026-01-01T08:00:00Z', null);
  `,
  );
});

afterAll(async () => {
  await t?.drop();
});

async function readAll(
  s: SourceDef,
  v: ViewColumns,
  window: { start: Date; end: Date },
  batchSize?: number,
  store: OfflineStore = t.offline,
): Promise<{ rows: SourceRow[]; batches: number }> {
  const rows: SourceRow[] = [];
  let batches = 0;
  for await (const batch of readLatestPerEntity(store, P, s, v, window, { batchSize })) {
    batches++;
    rows.push(...batch);
  }
  return { rows, batches };
}

const window = { start: at("07:00:00"), end: at("10:30:00") };

describe("readLatestPerEntity", () => {
  it("returns the latest row per entity in the inclusive window, created breaking ties", async () => {
    const { rows } = await readAll(source, view, window);
    const byId = Object.fromEntries(rows.map((r) => [String(r.joinKeys.driver_id), r]));
    expect(Object.keys(byId).sort()).toEqual(["1", "2", "3", "9007199254740993"]);
    expect(byId["1"]?.values).toEqual({ conv_rate: 0.2, trips: 20 });
    expect(byId["1"]?.eventTs).toEqual(at("10:00:00"));
    expect(byId["2"]?.values).toEqual({ conv_rate: 0.4, trips: 40 });
    expect(byId["2"]?.createdTs).toEqual(at("09:30:00"));
    expect(byId["3"]?.values).toEqual({ conv_rate: 0.7, trips: 70 });
    expect(byId["3"]?.createdTs).toBeNull();
    // int64 beyond 2^53 stays exact, as a string
    expect(byId["9007199254740993"]?.values.trips).toBe("9007199254740993");
    expect(byId["1"]?.entityKey).toBe(entityKey({ driver_id: 1 }));
  });

  it("includes a row exactly on the start bound", async () => {
    const { rows } = await readAll(source, view, { start: at("07:00:00"), end: at("07:00:00") });
    expect(rows.map((r) => r.joinKeys.driver_id)).toEqual([3]);
    expect(rows[0]?.values.conv_rate).toBe(0.6);
  });

  it("streams in batches of the asked size", async () => {
    const { rows, batches } = await readAll(source, view, window, 1);
    expect(rows).toHaveLength(4);
    expect(batches).toBe(4);
    const again = await readAll(source, view, window, 3);
    expect(again.batches).toBe(2);
  });

  it("frees its connection when the consumer stops early", async () => {
    for await (const batch of readLatestPerEntity(single, P, source, view, window, { batchSize: 1 })) {
      expect(batch).toHaveLength(1);
      break;
    }
    // The store's only connection of the project is free again: the next read gets it.
    const { rows } = await readAll(source, view, window, undefined, single);
    expect(rows).toHaveLength(4);
  });

  it("reads a query source, in a read-only transaction", async () => {
    const q: SourceDef = {
      ...source,
      kind: "query",
      tableName: null,
      query: "select * from proj.driver_stats where driver_id <> 1;",
    };
    const { rows } = await readAll(q, view, window);
    expect(rows.map((r) => String(r.joinKeys.driver_id)).sort()).toEqual(["2", "3", "9007199254740993"]);

    // A second statement smuggled in is refused by the sandbox before it reaches Postgres...
    const smuggler: SourceDef = {
      ...q,
      query: "select * from proj.driver_stats) s; delete from proj.driver_stats; select * from (select 1",
    };
    await expect(readAll(smuggler, view, window)).rejects.toThrow(
      'query: syntax error at or near ")" (at position 32)',
    );
    const two: SourceDef = { ...q, query: "select * from proj.driver_stats; delete from proj.driver_stats" };
    await expect(readAll(two, view, window)).rejects.toThrow(
      "query: must be exactly one statement, found 2 (the second starts at position 34)",
    );
    // ...a function known to write is refused by the sandbox too...
    await t.offlineSql(P, "create sequence seq");
    const writer: SourceDef = {
      ...q,
      query: "select s.*, nextval('proj.seq') from proj.driver_stats s",
    };
    await expect(readAll(writer, view, window)).rejects.toThrow(
      "query: function nextval is not allowed in a query source (at position 13)",
    );
    // ...and one that writes out of the sandbox's sight hits the read-only transaction.
    await t.offlineSql(
      P,
      `create table wiped (n int);
       create function proj.wipe() returns int language sql volatile as 'insert into proj.wiped values (1) returning n'`,
    );
    const hidden: SourceDef = { ...q, query: "select s.*, proj.wipe() as w from proj.driver_stats s" };
    await expect(readAll(hidden, view, window)).rejects.toThrow(
      "the statement tried to write in a read-only transaction (SQLSTATE 25006)",
    );
    const { rows: still } = await t.offlineSql(
      P,
      "select (select count(*)::int from driver_stats) as n, (select count(*)::int from wiped) as w",
    );
    expect(still[0]).toEqual({ n: 11, w: 0 });
  });

  it("replaces a data error's message, which would quote the value, by its SQLSTATE's name", async () => {
    const q: SourceDef = {
      ...source,
      kind: "query",
      tableName: null,
      query:
        "select driver_id, ('hidden' || conv)::float8 as conv, trips, event_timestamp, created from proj.driver_stats",
    };
    const e: unknown = await readAll(q, view, window).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toBe("a value has the wrong syntax for its type (SQLSTATE 22P02)");
  });

  it("converts typed columns and reads timestamp columns as UTC", async () => {
    await t.offlineSql(
      P,
      `
      create table typed (
        k text, ts timestamp, b bytea, n numeric, seen timestamp, tags text[], ids bigint[], meta jsonb, d date);
      insert into typed values
        ('a', '2026-01-01 10:00:00', '\\x00ff', 12.5, '2026-01-01 09:00:00', '{x,y}', '{1,9007199254740993}', '{"a":1}', '2026-03-04');
    `,
    );
    const s: SourceDef = {
      ...source,
      tableName: "proj.typed",
      timestampField: "ts",
      createdTimestampField: null,
      fieldMapping: {},
    };
    const v: ViewColumns = {
      joinKeys: [{ name: "k", valueType: "string" }],
      fields: [
        { name: "b", dtype: "bytes" },
        { name: "n", dtype: "float64" },
        { name: "seen", dtype: "unix_timestamp" },
        { name: "tags", dtype: "list<string>" },
        { name: "ids", dtype: "list<int64>" },
        { name: "meta", dtype: "string" },
        { name: "d", dtype: "string" },
      ],
    };
    const { rows } = await readAll(s, v, { start: at("10:00:00"), end: at("10:00:00") });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.eventTs).toEqual(at("10:00:00"));
    expect(rows[0]?.values).toEqual({
      b: "AP8=",
      n: 12.5,
      seen: "2026-01-01T09:00:00.000Z",
      tags: ["x", "y"],
      ids: [1, "9007199254740993"],
      meta: '{"a": 1}',
      d: "2026-03-04",
    });
  });

  it("fails naming the missing table, and frees its connection", async () => {
    const gone = { ...source, tableName: "proj.nope" };
    await expect(readAll(gone, view, window, undefined, single)).rejects.toThrow(
      'relation "proj.nope" does not exist',
    );
    const { rows } = await readAll(source, view, window, undefined, single);
    expect(rows).toHaveLength(4);
  });

  it("refuses a table outside the project's offline space before running anything", async () => {
    const outside = { ...source, tableName: "offline.driver_stats" };
    await expect(readAll(outside, view, window)).rejects.toThrow(
      'tableName: a table source of project "proj" may name only tables in its offline space (schemas proj); "offline.driver_stats" is outside it',
    );
  });
});

describe("key ranges and the row estimate", () => {
  /** A table of 97 ids (and 3 zones), many rows each, created by the first test. */
  const s: SourceDef = {
    ...source,
    tableName: "proj.many",
    timestampField: "ts",
    createdTimestampField: null,
    fieldMapping: {},
  };
  const wide = { start: new Date("2026-01-01T00:00:00Z"), end: new Date("2026-01-02T00:00:00Z") };
  const key = (r: SourceRow) => `${r.entityKey} ${JSON.stringify(r.values)} ${r.eventTs.toISOString()}`;

  it("partitions the latest rows: for any count, the ranges together are the whole answer, each row once", async () => {
    await t.offlineSql(
      P,
      `create table many (id text, zone int, v int, ts timestamptz);
       insert into many
       select 'id-' || (g % 97), g % 3, g, '2026-01-01T00:00:00Z'::timestamptz + g * interval '1 minute'
       from generate_series(1, 600) g;`,
    );
    for (const v of [
      { joinKeys: [{ name: "id", valueType: "string" }], fields: [{ name: "v", dtype: "int32" }] },
      {
        joinKeys: [
          { name: "id", valueType: "string" },
          { name: "zone", valueType: "int32" },
        ],
        fields: [{ name: "v", dtype: "int32" }],
      },
    ] satisfies ViewColumns[]) {
      const whole = (await readAll(s, v, wide)).rows.map(key).sort();
      expect(whole.length).toBeGreaterThan(90);
      for (const count of [1, 2, 3, 7]) {
        const parts: string[][] = [];
        for (let index = 0; index < count; index++) {
          const rows: SourceRow[] = [];
          for await (const b of readLatestPerEntity(t.offline, P, s, v, wide, { range: { index, count } }))
            rows.push(...b);
          parts.push(rows.map(key));
        }
        expect(parts.flat().sort()).toEqual(whole);
        // with more than one range, no range is the whole and (with ~100 keys) none is empty
        if (count > 1) for (const p of parts) expect(p.length).toBeGreaterThan(0);
      }
    }
  });

  it("estimates the rows of a table or query source from the planner, and gives none for a file source", async () => {
    await t.offlineSql(P, "analyze proj.many");
    const v: ViewColumns = { joinKeys: [{ name: "id", valueType: "string" }], fields: [] };
    // 97 distinct ids; the planner's figure is an estimate, not a count
    const estimate = await estimateLatestPerEntity(t.offline, P, s, v, wide);
    expect(estimate).toBeGreaterThan(20);
    expect(estimate).toBeLessThan(700);
    const q: SourceDef = { ...s, kind: "query", tableName: null, query: "select * from proj.many" };
    expect(await estimateLatestPerEntity(t.offline, P, q, v, wide)).toBeGreaterThan(0);
    const file: SourceDef = { ...s, kind: "file", tableName: null, path: "x.parquet", fileFormat: "parquet" };
    expect(await estimateLatestPerEntity(t.offline, P, file, v, wide)).toBeNull();
    // a file source is never read by range
    await expect(
      (async () => {
        for await (const _ of readLatestPerEntity(t.offline, P, file, v, wide, {
          range: { index: 0, count: 2 },
        })) {
        }
      })(),
    ).rejects.toThrow(/read whole/);
  });
});

describe("probeSource", () => {
  it("gives the greatest event time and the row count, or null and 0 for an empty source", async () => {
    expect(await probeSource(t.offline, P, source)).toEqual({ newest: at("11:00:00"), rows: 11 });
    const empty = {
      ...source,
      kind: "query" as const,
      tableName: null,
      query: "select * from proj.driver_stats where false",
    };
    expect(await probeSource(t.offline, P, empty)).toEqual({ newest: null, rows: 0 });
  });

  it("reads an unqualified table name in the project's own schema", async () => {
    expect(await probeSource(t.offline, P, { ...source, tableName: "driver_stats" })).toEqual({
      newest: at("11:00:00"),
      rows: 11,
    });
  });

  it("names a missing table", async () => {
    await expect(probeSource(t.offline, P, { ...source, tableName: "proj.nope" })).rejects.toThrow(
      'relation "proj.nope" does not exist',
    );
  });

  it("stops at the probe timeout and says so", async () => {
    const quick = t.openOffline({ timeouts: { probeMs: 200, scanMs: 200, writeMs: 200, lockMs: 200 } });
    const slow: SourceDef = {
      ...source,
      kind: "query",
      tableName: null,
      query: "select s.* from proj.driver_stats s cross join generate_series(1, 100000000) g",
    };
    await expect(probeSource(quick, P, slow)).rejects.toThrow('source "driver_stats": timed out after 0.2 s');
  });
});

describe("checkSource", () => {
  const needs = { joinKeys: ["driver_id"], fields: ["conv_rate", "trips"] };

  it("accepts a usable source", async () => {
    expect(await checkSource(t.offline, P, source, needs)).toBeNull();
  });

  it("names a missing table", async () => {
    const e = await checkSource(t.offline, P, { ...source, tableName: "proj.missing" }, needs);
    expect(e?.code).toBe("INVALID");
    expect(e?.message).toBe(
      'source "driver_stats": its table proj.missing cannot be read: relation "proj.missing" does not exist',
    );
  });

  it("refuses a table outside the project's offline space", async () => {
    const e = await checkSource(t.offline, P, { ...source, tableName: "offline.driver_stats" }, needs);
    expect(e?.code).toBe("INVALID");
    expect(e?.message).toMatch(
      /may name only tables in its offline space .*"offline\.driver_stats" is outside it/,
    );
  });

  it("names a missing column, following fieldMapping", async () => {
    const e1 = await checkSource(t.offline, P, source, { ...needs, fields: ["conv_rate", "speed"] });
    expect(e1?.message).toBe('source "driver_stats" has no column "speed" for field "speed"');
    const e2 = await checkSource(t.offline, P, { ...source, fieldMapping: { cr: "conv_rate" } }, needs);
    expect(e2?.message).toContain('no column "cr" for field "conv_rate"');
    const e3 = await checkSource(t.offline, P, source, { ...needs, joinKeys: ["rider_id"] });
    expect(e3?.message).toContain('for join key "rider_id"');
  });

  it("checks the time columns exist and hold times", async () => {
    const e1 = await checkSource(t.offline, P, { ...source, timestampField: "ts" }, needs);
    expect(e1?.message).toBe('source "driver_stats" has no timestamp column "ts"');
    const e2 = await checkSource(t.offline, P, { ...source, timestampField: "trips" }, needs);
    expect(e2?.message).toMatch(/timestamp column "trips" must be a date, timestamp or timestamptz/);
    const e3 = await checkSource(t.offline, P, { ...source, createdTimestampField: "made" }, needs);
    expect(e3?.message).toContain('no created timestamp column "made"');
  });

  it("reports a broken query with the parser's or Postgres's message", async () => {
    const query = { ...source, kind: "query" as const, tableName: null };
    const e1 = await checkSource(t.offline, P, { ...query, query: "select nonsense from" }, needs);
    expect(e1?.code).toBe("INVALID");
    expect(e1?.message).toBe(
      'source "driver_stats": its query cannot be read: syntax error at end of input (at position 21)',
    );
    const e2 = await checkSource(
      t.offline,
      P,
      { ...query, query: "select nonsense from proj.driver_stats" },
      needs,
    );
    expect(e2?.message).toBe(
      'source "driver_stats": its query cannot be read: column "nonsense" does not exist',
    );
  });
});
