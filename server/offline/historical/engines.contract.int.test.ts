import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../../test/db";
import { duck, pgJsonArray, type SourceColumn, writeSource } from "../../../test/helpers/files";
import type { FieldColumn, SourceDef } from "../source-query";
import { engineFor, pointInTime } from "./engine";
import type { PitView } from "./query";

/**
 * The engines' contract: the same named cases, each on the same rows in a Postgres table of the
 * project's offline space (the Postgres engine), a Parquet file and a CSV file of its file area
 * (the DuckDB engine). Every answer is compared with one written by hand, so all three must give
 * exactly the same JS values (docs/adr/0022-point-in-time-retrieval.md).
 */

let t: TestDb;
const P = "pitc";

type Us = number;
const US = 1_000_000;
/** 2026-03-01T10:00:00.123456Z */
const T: Us = Date.parse("2026-03-01T10:00:00Z") * 1000 + 123_456;

/** 'YYYY-MM-DDTHH:MM:SS.ffffffZ' */
function iso(us: Us): string {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(us - ms * 1000).padStart(3, "0")}Z`;
}

// ---------------------------------------------------------------------------------------------
// The rows: one source layout for every case, written three ways.

interface Row {
  uid: string | null;
  item?: string | null;
  ts: Us;
  created?: Us | null;
  conv?: number | null;
  fInt?: string | null;
  fI32?: number | null;
  fReal?: number | null;
  fStr?: string | null;
  fBool?: boolean | null;
  fTs?: Us | null;
  fBytes?: string | null;
  fInts?: (string | null)[] | null;
  fStrs?: (string | null)[] | null;
  fTimes?: (Us | null)[] | null;
}

const orNull = <V>(v: V | null | undefined, f: (v: V) => string) =>
  v === null || v === undefined ? null : f(v);

const COLUMNS: SourceColumn<Row>[] = [
  { name: "uid", pgType: "bigint", duckType: "BIGINT", text: (r) => r.uid, quoted: false },
  { name: "item", pgType: "text", duckType: "VARCHAR", text: (r) => r.item ?? null, quoted: true },
  { name: "event_ts", pgType: "timestamptz", duckType: "TIMESTAMPTZ", text: (r) => iso(r.ts), quoted: false },
  {
    name: "created",
    pgType: "timestamptz",
    duckType: "TIMESTAMPTZ",
    text: (r) => orNull(r.created, iso),
    quoted: false,
  },
  {
    name: "conv",
    pgType: "double precision",
    duckType: "DOUBLE",
    text: (r) => orNull(r.conv, String),
    quoted: false,
  },
  { name: "f_int", pgType: "bigint", duckType: "BIGINT", text: (r) => r.fInt ?? null, quoted: false },
  {
    name: "f_i32",
    pgType: "integer",
    duckType: "INTEGER",
    text: (r) => orNull(r.fI32, String),
    quoted: false,
  },
  { name: "f_real", pgType: "real", duckType: "FLOAT", text: (r) => orNull(r.fReal, String), quoted: false },
  { name: "f_str", pgType: "text", duckType: "VARCHAR", text: (r) => r.fStr ?? null, quoted: true },
  {
    name: "f_bool",
    pgType: "boolean",
    duckType: "BOOLEAN",
    text: (r) => orNull(r.fBool, String),
    quoted: false,
  },
  {
    name: "f_ts",
    pgType: "timestamptz",
    duckType: "TIMESTAMPTZ",
    text: (r) => orNull(r.fTs, iso),
    quoted: false,
  },
  {
    name: "f_bytes",
    pgType: "bytea",
    duckType: "BLOB",
    text: (r) => r.fBytes ?? null,
    pg: (x) => `decode(${x}, 'base64')`,
    duck: duck.base64,
    quoted: true,
  },
  {
    name: "f_ints",
    pgType: "bigint[]",
    duckType: "BIGINT[]",
    text: (r) => orNull(r.fInts, (xs) => `[${xs.map((x) => x ?? "null").join(", ")}]`),
    pg: (x) => `translate(${x}, '[]', '{}')::bigint[]`,
    duck: (json) => duck.list(json, "BIGINT"),
    quoted: true,
  },
  {
    name: "f_strs",
    pgType: "text[]",
    duckType: "VARCHAR[]",
    text: (r) => orNull(r.fStrs, (xs) => JSON.stringify(xs)),
    pg: (x) => pgJsonArray(x, "text"),
    duck: (json) => duck.list(json, "VARCHAR"),
    quoted: true,
  },
  {
    name: "f_times",
    pgType: "timestamptz[]",
    duckType: "TIMESTAMPTZ[]",
    text: (r) => orNull(r.fTimes, (xs) => JSON.stringify(xs.map((x) => (x === null ? null : iso(x))))),
    pg: (x) => pgJsonArray(x, "timestamptz"),
    duck: (json) => duck.list(json, "TIMESTAMPTZ"),
    quoted: true,
  },
];

// ---------------------------------------------------------------------------------------------
// Sources, views, requests.

const SOURCE_KINDS = ["postgres table", "parquet file", "csv file"] as const;
type SourceKind = (typeof SOURCE_KINDS)[number];

function sourceOf(kind: SourceKind, name: string): SourceDef {
  const common = {
    name,
    timestampField: "event_ts",
    createdTimestampField: "created",
    query: null,
    // A join key and a feature under other names in the source.
    fieldMapping: { uid: "user_id", conv: "conv_rate" },
  };
  if (kind === "postgres table") return { ...common, kind: "table", tableName: name };
  const format = kind === "parquet file" ? "parquet" : "csv";
  return { ...common, kind: "file", tableName: null, path: `contract/${name}.${format}`, fileFormat: format };
}

const DTYPES: Record<string, FieldColumn["dtype"]> = {
  conv_rate: "float64",
  f_int: "int64",
  f_i32: "int32",
  f_real: "float32",
  f_str: "string",
  f_bool: "bool",
  f_ts: "unix_timestamp",
  f_bytes: "bytes",
  f_ints: "list<int64>",
  f_strs: "list<string>",
  f_times: "list<unix_timestamp>",
};

interface ViewCase {
  name: string;
  keys: ("user_id" | "item")[];
  ttlSeconds?: number;
  fields: (keyof typeof DTYPES)[];
}

interface Case {
  name: string;
  rows: Row[];
  views: ViewCase[];
  entities: { user_id: (number | string)[]; item?: string[]; times: string[] };
  /** view -> feature -> one value per entity row, written by hand. */
  expected: Record<string, Record<string, unknown[]>>;
}

function pitViews(c: Case, kind: SourceKind, table: string): PitView[] {
  return c.views.map((v) => ({
    name: v.name,
    source: sourceOf(kind, table),
    ttlSeconds: v.ttlSeconds ?? 0,
    joinKeys: v.keys.map((k) => ({ name: k, valueType: k === "user_id" ? "int64" : "string" })),
    fields: v.fields.map((f) => ({ name: f, dtype: DTYPES[f] ?? "string" })),
  }));
}

const at = (us: Us) => iso(us);
const ALL_TYPES = ["conv_rate", "f_int", "f_i32", "f_real", "f_str", "f_bool", "f_ts", "f_bytes"] as const;

// ---------------------------------------------------------------------------------------------
// The cases.

const CASES: Case[] = [
  {
    name: "a tie on event_ts goes to the greater created, whatever the row order",
    rows: [
      { uid: "1", ts: T, created: T + 1, fStr: "older created" },
      { uid: "1", ts: T, created: T + 2, fStr: "newer created" },
      { uid: "2", ts: T, created: T + 2, fStr: "newer created" },
      { uid: "2", ts: T, created: T + 1, fStr: "older created" },
    ],
    views: [{ name: "v", keys: ["user_id"], fields: ["f_str"] }],
    entities: { user_id: [1, 2], times: [at(T), at(T)] },
    expected: { v: { f_str: ["newer created", "newer created"] } },
  },
  {
    name: "a NULL created loses a tie to any created time",
    rows: [
      { uid: "1", ts: T, created: null, fStr: "no created" },
      { uid: "1", ts: T, created: 0, fStr: "created 1970" },
      { uid: "2", ts: T, created: 0, fStr: "created 1970" },
      { uid: "2", ts: T, created: null, fStr: "no created" },
    ],
    views: [{ name: "v", keys: ["user_id"], fields: ["f_str"] }],
    entities: { user_id: [1, 2], times: [at(T + US), at(T + US)] },
    expected: { v: { f_str: ["created 1970", "created 1970"] } },
  },
  {
    name: "ttl 0: a row of any age counts",
    rows: [{ uid: "1", ts: T - 400 * 86_400 * US, fStr: "ancient" }],
    views: [{ name: "v", keys: ["user_id"], ttlSeconds: 0, fields: ["f_str"] }],
    entities: { user_id: [1], times: [at(T)] },
    expected: { v: { f_str: ["ancient"] } },
  },
  {
    name: "ttl > 0: rows exactly at t and at t - ttl count, 1 µs either way does not",
    rows: [{ uid: "1", ts: T, fStr: "at T" }],
    views: [{ name: "v", keys: ["user_id"], ttlSeconds: 60, fields: ["f_str"] }],
    entities: {
      user_id: [1, 1, 1, 1],
      times: [
        "2026-03-01T12:00:00.123455+02:00", // 1 µs before the row: nothing yet
        "2026-03-01T12:00:00.123456+02:00", // exactly the row's event time
        "2026-03-01T12:01:00.123456+02:00", // t - ttl = the row's event time: included
        "2026-03-01T12:01:00.123457+02:00", // t - ttl is 1 µs after the row: excluded
      ],
    },
    expected: { v: { f_str: [null, "at T", "at T", null] } },
  },
  {
    name: "ttl > 0: the newest row in the window wins, an older one outside never comes back",
    rows: [
      { uid: "1", ts: T - 20 * US, fStr: "too old" },
      { uid: "1", ts: T - 5 * US, fStr: "in window" },
    ],
    views: [{ name: "v", keys: ["user_id"], ttlSeconds: 10, fields: ["f_str"] }],
    entities: { user_id: [1, 1, 1], times: [at(T), at(T + 9 * US), at(T - 11 * US)] },
    expected: { v: { f_str: ["in window", null, "too old"] } },
  },
  {
    name: "several views, one with two join keys, in one request",
    rows: [
      { uid: "1", item: "a", ts: T, fStr: "1a", conv: 0.5 },
      { uid: "1", item: "b", ts: T + US, fStr: "1b", conv: 0.25 },
      { uid: "2", item: "a", ts: T, fStr: "2a", conv: 1 },
    ],
    views: [
      { name: "by_user", keys: ["user_id"], fields: ["f_str"] },
      { name: "by_user_item", keys: ["user_id", "item"], fields: ["f_str", "conv_rate"] },
    ],
    entities: {
      user_id: [1, 1, 2, 2],
      item: ["a", "b", "b", "a"],
      times: [at(T + 2 * US), at(T + 2 * US), at(T + 2 * US), at(T + 2 * US)],
    },
    expected: {
      by_user: { f_str: ["1b", "1b", "2a", "2a"] },
      by_user_item: { f_str: ["1a", "1b", null, "2a"], conv_rate: [0.5, 0.25, null, 1] },
    },
  },
  {
    name: "NULL values of the winning row are nulls, not the previous row's values",
    rows: [
      {
        uid: "1",
        ts: T - US,
        conv: 0.75,
        fInt: "7",
        fI32: 7,
        fReal: 1.5,
        fStr: "older",
        fBool: true,
        fTs: T,
        fBytes: "AQ==",
      },
      { uid: "1", ts: T },
    ],
    views: [{ name: "v", keys: ["user_id"], fields: [...ALL_TYPES] }],
    entities: { user_id: [1, 1], times: [at(T), at(T - US)] },
    expected: {
      v: {
        conv_rate: [null, 0.75],
        f_int: [null, 7],
        f_i32: [null, 7],
        f_real: [null, 1.5],
        f_str: [null, "older"],
        f_bool: [null, true],
        f_ts: [null, "2026-03-01T10:00:00.123456Z"],
        f_bytes: [null, "AQ=="],
      },
    },
  },
  {
    name: "duplicate entity rows stay duplicates, in request order",
    rows: [
      { uid: "1", ts: T, fStr: "one" },
      { uid: "2", ts: T, fStr: "two" },
    ],
    views: [{ name: "v", keys: ["user_id"], fields: ["f_str"] }],
    entities: {
      user_id: [2, 1, 2, 2, 1],
      times: [at(T), at(T), at(T - US), at(T), at(T)],
    },
    expected: { v: { f_str: ["two", "one", null, "two", "one"] } },
  },
  {
    name: "times before and after all data, and keys with no data",
    rows: [{ uid: "1", ts: T, fStr: "x" }],
    views: [{ name: "v", keys: ["user_id"], fields: ["f_str"] }],
    entities: {
      user_id: [1, 1, 3],
      times: ["2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z", "2100-01-01T00:00:00Z"],
    },
    expected: { v: { f_str: [null, "x", null] } },
  },
  {
    name: "int64 beyond 2^53, as join keys and as values",
    rows: [
      { uid: "9007199254740993", ts: T, fInt: "9223372036854775807" },
      { uid: "9007199254740992", ts: T, fInt: "-9223372036854775808" },
      { uid: "5", ts: T, fInt: "9007199254740991" },
    ],
    views: [{ name: "v", keys: ["user_id"], fields: ["f_int"] }],
    entities: { user_id: ["9007199254740993", "9007199254740992", 5], times: [at(T), at(T), at(T)] },
    expected: { v: { f_int: ["9223372036854775807", "-9223372036854775808", 9007199254740991] } },
  },
  {
    name: "microseconds: entity times and timestamp features keep them",
    rows: [
      { uid: "1", ts: T, created: T + 1, fTs: Date.parse("2025-12-31T23:59:59Z") * 1000 + 1 },
      { uid: "1", ts: T + 1, created: null, fTs: -1 },
    ],
    views: [{ name: "v", keys: ["user_id"], fields: ["f_ts"] }],
    entities: {
      user_id: [1, 1, 1],
      times: ["2026-03-01T12:00:00.123455+02:00", "2026-03-01T12:00:00.123456+02:00", at(T + 1)],
    },
    expected: {
      v: { f_ts: [null, "2025-12-31T23:59:59.000001Z", "1969-12-31T23:59:59.999999Z"] },
    },
  },
  {
    name: "lists of int64, strings and times, with NULL elements and empty lists",
    rows: [
      {
        uid: "1",
        ts: T,
        fInts: ["1", "9007199254740993", null, "-2"],
        fStrs: ["a", "", null, 'quote " comma , é'],
        fTimes: [T, null, 0],
      },
      { uid: "2", ts: T, fInts: [], fStrs: [], fTimes: [T] },
    ],
    views: [{ name: "v", keys: ["user_id"], fields: ["f_ints", "f_strs", "f_times"] }],
    entities: { user_id: [1, 2], times: [at(T), at(T)] },
    expected: {
      v: {
        f_ints: [[1, "9007199254740993", null, -2], []],
        f_strs: [["a", "", null, 'quote " comma , é'], []],
        f_times: [
          ["2026-03-01T10:00:00.123456Z", null, "1970-01-01T00:00:00.000000Z"],
          ["2026-03-01T10:00:00.123456Z"],
        ],
      },
    },
  },
  {
    name: "an empty list of times is an empty list",
    rows: [{ uid: "1", ts: T, fTimes: [] }],
    views: [{ name: "v", keys: ["user_id"], fields: ["f_times"] }],
    entities: { user_id: [1], times: [at(T)] },
    expected: { v: { f_times: [[]] } },
  },
  {
    name: "bytes come back as base64, empty bytes as an empty string",
    rows: [
      { uid: "1", ts: T, fBytes: "AAH/" },
      { uid: "2", ts: T, fBytes: "" },
    ],
    views: [{ name: "v", keys: ["user_id"], fields: ["f_bytes"] }],
    entities: { user_id: [1, 2], times: [at(T), at(T)] },
    expected: { v: { f_bytes: ["AAH/", ""] } },
  },
  {
    name: "every scalar type, and the features and keys the field mapping renames",
    rows: [
      {
        uid: "1",
        ts: T,
        conv: 0.1,
        fInt: "-42",
        fI32: -2147483648,
        fReal: 1.1,
        fStr: "é ✓",
        fBool: false,
        fTs: 0,
        fBytes: "/w==",
      },
    ],
    views: [{ name: "v", keys: ["user_id"], fields: [...ALL_TYPES] }],
    entities: { user_id: [1], times: [at(T)] },
    expected: {
      v: {
        conv_rate: [0.1],
        f_int: [-42],
        f_i32: [-2147483648],
        f_real: [1.1],
        f_str: ["é ✓"],
        f_bool: [false],
        f_ts: ["1970-01-01T00:00:00.000000Z"],
        f_bytes: ["/w=="],
      },
    },
  },
];

const tableOf = (i: number) => `c${i}`;

beforeAll(async () => {
  t = await createTestDb();
  await t.offline.provision(P);
  for (const [i, c] of CASES.entries()) {
    const base = path.join(t.offline.files.dirOf(P), "contract", tableOf(i));
    await writeSource(t.offlineAdmin, `${P}.${tableOf(i)}`, base, COLUMNS, c.rows);
  }
});

afterAll(async () => {
  if (!t) return;
  fs.rmSync(t.offline.files.dirOf(P), { recursive: true, force: true });
  await t.drop();
});

async function answer(c: Case, kind: SourceKind, i: number) {
  const { times, ...keys } = c.entities;
  const got = await pointInTime(t.offline, P, pitViews(c, kind, tableOf(i)), { keys, times });
  return Object.fromEntries([...got].map(([view, columns]) => [view, Object.fromEntries(columns)]));
}

describe("the point-in-time engines agree", () => {
  it("file sources go to DuckDB, tables and queries to Postgres", () => {
    expect(engineFor(t.offline, "file").name).toBe("duckdb");
    expect(engineFor(t.offline, "table").name).toBe("postgres");
    expect(engineFor(t.offline, "query").name).toBe("postgres");
  });

  describe.each(SOURCE_KINDS)("on a %s", (kind) => {
    for (const [i, c] of CASES.entries()) {
      it(c.name, async () => {
        expect(await answer(c, kind, i)).toEqual(c.expected);
      });
    }
  });
});
