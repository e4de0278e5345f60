import { describe, expect, it } from "vitest";
import {
  latestPerEntityQuery,
  newestEventTsQuery,
  quoteIdent,
  type SourceDef,
  sourceColumnOf,
  sourceRelation,
  type ViewColumns,
} from "./source-query";

const table: SourceDef = {
  name: "driver_stats",
  kind: "table",
  tableName: "proj.driver_stats",
  query: null,
  timestampField: "event_timestamp",
  createdTimestampField: "created",
  fieldMapping: {},
};

const view: ViewColumns = {
  joinKeys: [{ name: "driver_id", valueType: "int64" }],
  fields: [
    { name: "conv_rate", dtype: "float64" },
    { name: "trips", dtype: "int64" },
    { name: "city", dtype: "string" },
    { name: "last_seen", dtype: "unix_timestamp" },
  ],
};

const window = { start: new Date("2026-01-01T00:00:00Z"), end: new Date("2026-01-02T00:00:00Z") };

describe("quoteIdent", () => {
  it("double-quotes and doubles embedded quotes", () => {
    expect(quoteIdent("driver_id")).toBe('"driver_id"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
  });
  it("refuses empty names and NUL bytes", () => {
    expect(() => quoteIdent("")).toThrow();
    expect(() => quoteIdent("a\u0000b")).toThrow();
  });
});

describe("sourceRelation", () => {
  it("quotes each part of a schema-qualified table", () => {
    expect(sourceRelation(table)).toBe('"proj"."driver_stats" AS src');
    expect(sourceRelation({ ...table, tableName: "Stats" })).toBe('"Stats" AS src');
  });
  it("refuses a table name that is not an identifier path", () => {
    expect(() => sourceRelation({ ...table, tableName: "x; drop table y" })).toThrow(/invalid table name/);
    expect(() => sourceRelation({ ...table, tableName: null })).toThrow(/invalid table name/);
  });
  it("wraps a query as a subquery, dropping trailing semicolons", () => {
    const q = { ...table, kind: "query" as const, tableName: null, query: "select * from t -- all;\n;  " };
    expect(sourceRelation(q)).toBe("(\nselect * from t -- all\n) AS src");
  });
  it("refuses a file source (DuckDB reads files) with a 400, not SQL", () => {
    const f = {
      ...table,
      kind: "file" as const,
      tableName: null,
      path: "x.parquet",
      fileFormat: "parquet" as const,
    };
    expect(() => sourceRelation(f)).toThrow(
      expect.objectContaining({ code: "INVALID", message: expect.stringMatching(/is a file source/) }),
    );
  });
});

describe("sourceColumnOf", () => {
  it("maps a name back to its source column through fieldMapping", () => {
    const s = { ...table, fieldMapping: { conv: "conv_rate" } };
    expect(sourceColumnOf(s, "conv_rate")).toBe("conv");
    expect(sourceColumnOf(s, "trips")).toBe("trips");
  });
});

describe("latestPerEntityQuery", () => {
  it("selects the latest row per entity in the inclusive window", () => {
    const q = latestPerEntityQuery(table, view, window);
    expect(q.values).toEqual([window.start, window.end]);
    expect(q.text).toBe(
      [
        'SELECT DISTINCT ON (src."driver_id")',
        '  src."driver_id"::text AS "driver_id",',
        '  src."conv_rate" AS "conv_rate",',
        '  src."trips"::text AS "trips",',
        '  src."city"::text AS "city",',
        '  src."last_seen"::timestamptz AS "last_seen",',
        '  src."event_timestamp"::timestamptz AS "__event_ts",',
        '  src."created"::timestamptz AS "__created_ts"',
        'FROM "proj"."driver_stats" AS src',
        'WHERE src."event_timestamp" >= $1::timestamptz',
        '  AND src."event_timestamp" <= $2::timestamptz',
        '  AND src."driver_id" IS NOT NULL',
        'ORDER BY src."driver_id", src."event_timestamp" DESC, src."created" DESC NULLS LAST',
      ].join("\n"),
    );
  });

  it("reads one key range by a hash of the join keys, its count and index bound", () => {
    const q = latestPerEntityQuery(table, view, window, { index: 2, count: 5 });
    expect(q.values).toEqual([window.start, window.end, 5, 2]);
    expect(q.text).toContain(
      '  AND src."driver_id" IS NOT NULL\n' +
        '  AND mod(hashtextextended(src."driver_id"::text, 0) & 9223372036854775807, $3::bigint) = $4::bigint\n' +
        "ORDER BY ",
    );
    const composite = latestPerEntityQuery(
      table,
      {
        joinKeys: [
          { name: "driver_id", valueType: "int64" },
          { name: "zone", valueType: "string" },
        ],
        fields: [],
      },
      window,
      { index: 0, count: 2 },
    );
    expect(composite.text).toContain(
      'mod(hashtextextended(concat_ws(chr(31), src."driver_id"::text, src."zone"::text), 0) & 9223372036854775807, $3::bigint)',
    );
    for (const bad of [
      { index: 2, count: 2 },
      { index: -1, count: 2 },
      { index: 0, count: 0 },
      { index: 0.5, count: 2 },
    ])
      expect(() => latestPerEntityQuery(table, view, window, bad)).toThrow(/key range/);
  });

  it("applies fieldMapping to join keys and fields, keeping output names", () => {
    const s = { ...table, fieldMapping: { drv: "driver_id", conv: "conv_rate" } };
    const q = latestPerEntityQuery(
      s,
      { joinKeys: view.joinKeys, fields: [view.fields[0] ?? { name: "x", dtype: "int32" }] },
      window,
    );
    expect(q.text).toContain('SELECT DISTINCT ON (src."drv")');
    expect(q.text).toContain('src."drv"::text AS "driver_id"');
    expect(q.text).toContain('src."conv" AS "conv_rate"');
    expect(q.text).toContain('ORDER BY src."drv", ');
  });

  it("orders by every join key of a composite entity", () => {
    const q = latestPerEntityQuery(
      table,
      {
        joinKeys: [
          { name: "driver_id", valueType: "int64" },
          { name: "zone", valueType: "string" },
        ],
        fields: [{ name: "n", dtype: "int32" }],
      },
      window,
    );
    expect(q.text).toContain('DISTINCT ON (src."driver_id", src."zone")');
    expect(q.text).toContain('ORDER BY src."driver_id", src."zone", src."event_timestamp" DESC');
    expect(q.text).toContain('AND src."zone" IS NOT NULL');
  });

  it("without a created timestamp, selects null and orders by event time only", () => {
    const q = latestPerEntityQuery({ ...table, createdTimestampField: null }, view, window);
    expect(q.text).toContain('NULL::timestamptz AS "__created_ts"');
    expect(q.text).toMatch(/ORDER BY src\."driver_id", src\."event_timestamp" DESC$/);
  });

  it("casts lists by element type", () => {
    const q = latestPerEntityQuery(
      table,
      {
        joinKeys: view.joinKeys,
        fields: [
          { name: "a", dtype: "list<int64>" },
          { name: "b", dtype: "list<unix_timestamp>" },
          { name: "c", dtype: "list<float32>" },
        ],
      },
      window,
    );
    expect(q.text).toContain('src."a"::text[] AS "a"');
    expect(q.text).toContain('src."b"::timestamptz[] AS "b"');
    expect(q.text).toContain('src."c" AS "c"');
  });

  it("quotes hostile column names from fieldMapping", () => {
    const s = { ...table, timestampField: 'ts"; drop table x; --' };
    const q = latestPerEntityQuery(s, view, window);
    expect(q.text).toContain('src."ts""; drop table x; --" >= $1');
  });

  it("reads a query source through a subquery", () => {
    const s: SourceDef = { ...table, kind: "query", tableName: null, query: "select * from raw where ok" };
    const q = latestPerEntityQuery(s, view, window);
    expect(q.text).toContain("FROM (\nselect * from raw where ok\n) AS src\nWHERE");
  });
});

describe("newestEventTsQuery", () => {
  it("takes the max of the timestamp column and counts the rows", () => {
    expect(newestEventTsQuery(table).text).toBe(
      'SELECT max(src."event_timestamp")::timestamptz AS newest, count(*) AS rows FROM "proj"."driver_stats" AS src',
    );
  });
});
