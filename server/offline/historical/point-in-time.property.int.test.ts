import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../../test/db";
import { duck, writeParquet } from "../../../test/helpers/files";
import type { FieldColumn, SourceDef } from "../source-query";
import { pointInTime } from "./engine";
import type { PitView } from "./query";

/**
 * Point-in-time retrieval (engine.ts) against a brute-force reference in plain TypeScript, on
 * random sources full of ties, NULL created timestamps, TTL boundaries and duplicate entity rows,
 * on both engines: the Postgres engine (query.ts) over tables of the project's offline space, and
 * the DuckDB engine (duckdb-query.ts) over the same rows written as Parquet files of its file area. The spec: for each entity row (keys, t) and view V, among V's source rows
 * with equal keys and event_ts <= t (and >= t - ttl when ttl > 0), the greatest event_ts wins; on a
 * tie the greater created wins, a NULL created loses; no row: null. Rows that tie on both event and
 * created time (or on event time when the source has no created column) are all right answers.
 */

let t: TestDb;
/** The project; its offline schema has the same name, so unqualified table names land in it. */
const P = "pit";

// ---------------------------------------------------------------------------------------------
// Time: instants are integers of microseconds since the Unix epoch (safe integers for these dates).

type Us = number;
const US = 1_000_000;
const BASE: Us = Date.UTC(2026, 2, 1) * 1000;

/** 'YYYY-MM-DDTHH:MM:SS.ffffffZ', the form the engine answers timestamps in. */
function isoUs(us: Us): string {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(us - ms * 1000).padStart(3, "0")}Z`;
}

/** The instant as a request may write it: local time at a UTC offset, fraction 0, 3 or 6 digits. */
function requestTime(us: Us, offsetMin: number, trim: boolean): string {
  let local = isoUs(us + offsetMin * 60 * US).slice(0, 26);
  if (trim) local = local.replace(/\.000000$/, "").replace(/(\.\d{3})000$/, "$1");
  if (offsetMin === 0) return `${local}Z`;
  const abs = Math.abs(offsetMin);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${local}${offsetMin < 0 ? "-" : "+"}${hhmm}`;
}

// ---------------------------------------------------------------------------------------------
// Source tables.

interface TableSpec {
  name: string;
  keyCols: { column: string; sqlType: "bigint" | "text" }[];
  tsColumn: string;
  tsType: "timestamptz" | "timestamp";
  /** null: the table has no created column (createdTimestampField null). */
  createdColumn: string | null;
}

interface SrcRow {
  /** One per keyCols, as text (int64 keys in canonical decimal). */
  keys: string[];
  ts: Us;
  created: Us | null;
  fFloat: number;
  /** Decimal text: values beyond 2^53 must come back as strings. */
  fInt: string;
  fStr: string;
  fFlag: boolean | null;
  fTs: Us | null;
}

/** The features every source table has, with the value the engine must answer for a row. */
const FEATURES: { name: string; dtype: FieldColumn["dtype"]; expect: (r: SrcRow) => unknown }[] = [
  { name: "f_float", dtype: "float64", expect: (r) => r.fFloat },
  {
    name: "f_int",
    dtype: "int64",
    expect: (r) => (Number.isSafeInteger(Number(r.fInt)) ? Number(r.fInt) : r.fInt),
  },
  { name: "f_str", dtype: "string", expect: (r) => r.fStr },
  { name: "f_flag", dtype: "bool", expect: (r) => r.fFlag },
  { name: "f_ts", dtype: "unix_timestamp", expect: (r) => (r.fTs === null ? null : isoUs(r.fTs)) },
];

/**
 * (Re)creates the table in the project's schema and inserts the rows; every value travels as text
 * and is cast in SQL. Straight through the offline admin pool: t.offlineSql provisions the project
 * again on every call, which would dominate the run time (beforeAll provisions it once).
 */
async function loadTable(spec: TableSpec, rows: readonly SrcRow[]): Promise<void> {
  const table = `${P}.${spec.name}`;
  const columns: [column: string, sqlType: string, values: (string | null)[]][] = [
    ...spec.keyCols.map((k, i): [string, string, (string | null)[]] => [
      k.column,
      k.sqlType,
      rows.map((r) => r.keys[i] ?? null),
    ]),
    [
      spec.tsColumn,
      spec.tsType,
      // A `timestamp` column gets the UTC wall time (the reader's session is in UTC).
      rows.map((r) => (spec.tsType === "timestamp" ? isoUs(r.ts).slice(0, 26) : isoUs(r.ts))),
    ],
    ...(spec.createdColumn
      ? [
          [
            spec.createdColumn,
            "timestamptz",
            rows.map((r) => (r.created === null ? null : isoUs(r.created))),
          ] as [string, string, (string | null)[]],
        ]
      : []),
    ["f_float", "double precision", rows.map((r) => String(r.fFloat))],
    ["f_int", "bigint", rows.map((r) => r.fInt)],
    ["f_str", "text", rows.map((r) => r.fStr)],
    ["f_flag", "boolean", rows.map((r) => (r.fFlag === null ? null : String(r.fFlag)))],
    ["f_ts", "timestamptz", rows.map((r) => (r.fTs === null ? null : isoUs(r.fTs)))],
  ];
  await t.offlineAdmin.query(
    `drop table if exists ${table}; create table ${table} (${columns.map(([c, ty]) => `${c} ${ty}`).join(", ")})`,
  );
  if (rows.length === 0) return;
  await t.offlineAdmin.query(
    `insert into ${table} (${columns.map(([c]) => c).join(", ")})
     select ${columns.map(([, ty], i) => `c${i}::${ty}`).join(", ")}
     from unnest(${columns.map((_, i) => `$${i + 1}::text[]`).join(", ")}) as u(${columns.map((_, i) => `c${i}`).join(", ")})`,
    columns.map(([, , values]) => values),
  );
}

const DUCK_TYPES: Record<string, string> = {
  bigint: "BIGINT",
  text: "VARCHAR",
  timestamptz: "TIMESTAMPTZ",
  timestamp: "TIMESTAMP",
  "double precision": "DOUBLE",
  boolean: "BOOLEAN",
};

/** The same rows as a Parquet file of the project's file area (`pit/<name>.parquet`), through DuckDB. */
async function loadParquet(spec: TableSpec, rows: readonly SrcRow[]): Promise<void> {
  const columns: [column: string, type: string, text: (r: SrcRow) => string | null][] = [
    ...spec.keyCols.map((k, i): [string, string, (r: SrcRow) => string | null] => [
      k.column,
      k.sqlType,
      (r) => r.keys[i] ?? null,
    ]),
    [
      spec.tsColumn,
      spec.tsType,
      (r) => (spec.tsType === "timestamp" ? isoUs(r.ts).slice(0, 26) : isoUs(r.ts)),
    ],
    ...(spec.createdColumn
      ? [
          [
            spec.createdColumn,
            "timestamptz",
            (r: SrcRow) => (r.created === null ? null : isoUs(r.created)),
          ] as [string, string, (r: SrcRow) => string | null],
        ]
      : []),
    ["f_float", "double precision", (r) => String(r.fFloat)],
    ["f_int", "bigint", (r) => r.fInt],
    ["f_str", "text", (r) => r.fStr],
    ["f_flag", "boolean", (r) => (r.fFlag === null ? null : String(r.fFlag))],
    ["f_ts", "timestamptz", (r) => (r.fTs === null ? null : isoUs(r.fTs))],
  ];
  const duckColumns = columns.map(([name, type]) => ({ name, type: DUCK_TYPES[type] ?? type }));
  await writeParquet(
    path.join(t.offline.files.dirOf(P), "pit", `${spec.name}.parquet`),
    duckColumns,
    rows.map((r) => columns.map(([, , text], i) => duck.cast(text(r), duckColumns[i]?.type ?? ""))),
  );
}

type Engine = "postgres" | "duckdb";
const ENGINES: Engine[] = ["postgres", "duckdb"];

/** Writes the rows where the engine reads them: a table (Postgres) or a Parquet file (DuckDB). */
function load(engine: Engine, spec: TableSpec, rows: readonly SrcRow[]): Promise<void> {
  return engine === "postgres" ? loadTable(spec, rows) : loadParquet(spec, rows);
}

function sourceOf(engine: Engine, spec: TableSpec, fieldMapping: Record<string, string> = {}): SourceDef {
  const common = {
    name: spec.name,
    query: null,
    timestampField: spec.tsColumn,
    createdTimestampField: spec.createdColumn,
    fieldMapping,
  };
  return engine === "postgres"
    ? // Unqualified: a table of the project's own schema.
      { ...common, kind: "table", tableName: spec.name }
    : { ...common, kind: "file", tableName: null, path: `pit/${spec.name}.parquet`, fileFormat: "parquet" };
}

// ---------------------------------------------------------------------------------------------
// The reference.

interface Entity {
  /** Entity key name -> value as text (int64 keys in canonical decimal). */
  keys: Record<string, string>;
  t: Us;
}

interface RefView {
  /** The view's join keys (entity key names), in the order of its table's keyCols. */
  keyNames: string[];
  ttlSeconds: number;
  rows: readonly SrcRow[];
}

/** created as the tie-break ranks it: NULL below every time. */
const createdRank = (r: SrcRow) => r.created ?? Number.NEGATIVE_INFINITY;

/** Every source row that is a right answer for the entity row (empty: the answer is null). */
function referenceCandidates(view: RefView, entity: Entity): SrcRow[] {
  let best: SrcRow[] = [];
  for (const r of view.rows) {
    if (!view.keyNames.every((k, i) => r.keys[i] === entity.keys[k])) continue;
    if (r.ts > entity.t) continue;
    if (view.ttlSeconds > 0 && r.ts < entity.t - view.ttlSeconds * US) continue;
    const top = best[0];
    if (!top || r.ts > top.ts || (r.ts === top.ts && createdRank(r) > createdRank(top))) best = [r];
    else if (r.ts === top.ts && createdRank(r) === createdRank(top)) best.push(r);
  }
  return best;
}

/** The view/feature columns the engine answered, as one object per entity row. */
function answerRow(got: Map<string, Map<string, unknown[]>>, view: string, fields: string[], i: number) {
  const columns = got.get(view);
  expect(columns, `no answer for view ${view}`).toBeDefined();
  return Object.fromEntries(fields.map((f) => [f, columns?.get(f)?.[i]]));
}

function expectedRow(r: SrcRow | null, fields: string[]): Record<string, unknown> {
  return Object.fromEntries(
    fields.map((f) => [f, r === null ? null : FEATURES.find((x) => x.name === f)?.expect(r)]),
  );
}

/** An int64 key as a request gives it: a number when safe, else its decimal text. */
const requestInt = (text: string): number | string =>
  Number.isSafeInteger(Number(text)) ? Number(text) : text;

function pitView(
  name: string,
  source: SourceDef,
  joinKeys: PitView["joinKeys"],
  ttlSeconds: number,
  fields = FEATURES.map((f) => f.name),
): PitView {
  return {
    name,
    source,
    ttlSeconds,
    joinKeys,
    fields: fields.map((f) => ({ name: f, dtype: FEATURES.find((x) => x.name === f)?.dtype ?? "string" })),
  };
}

beforeAll(async () => {
  t = await createTestDb();
  await t.offline.provision(P);
});

afterAll(async () => {
  if (!t) return;
  fs.rmSync(t.offline.files.dirOf(P), { recursive: true, force: true });
  await t.drop();
});

// ---------------------------------------------------------------------------------------------
// The property.

const USER_IDS = ["1", "2", "-7", "9007199254740993"];
const ITEMS = ["a", "b", "", "é"];

/** Event times on a coarse grid so that ties are common; some fractions are 1 µs off the second. */
const eventTimeArb = fc
  .record({ s: fc.integer({ min: 0, max: 3 }), u: fc.constantFrom(0, 1, 999_999) })
  .map(({ s, u }) => BASE + s * US + u);

const rowArb = fc.record({
  user: fc.constantFrom(...USER_IDS),
  item: fc.constantFrom(...ITEMS),
  ts: eventTimeArb,
  created: fc.option(
    fc.integer({ min: 0, max: 3 }).map((c) => BASE + 3600 * US + c * US + 7),
    { nil: null, freq: 3 },
  ),
  fFloat: fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x)),
  fInt: fc.oneof(
    fc.integer({ min: -1000, max: 1000 }).map(String),
    fc.constantFrom("9007199254740991", "9007199254740993", "-9223372036854775808", "9223372036854775807"),
  ),
  fStr: fc.string({ unit: "grapheme", maxLength: 6 }).filter((s) => !s.includes("\u0000")),
  fFlag: fc.option(fc.boolean(), { nil: null }),
  fTs: fc.option(fc.integer({ min: 0, max: 4_102_444_800 * US - 1 }), { nil: null, freq: 5 }),
});
type GenRow = typeof rowArb extends fc.Arbitrary<infer R> ? R : never;

const tableArb = fc.record({
  tsType: fc.constantFrom("timestamptz" as const, "timestamp" as const),
  hasCreated: fc.constantFrom(true, true, false),
});

const ttlArb = fc.constantFrom(0, 0, 1, 2, 5);

const entityArb = fc.record({
  user: fc.constantFrom(...USER_IDS),
  item: fc.constantFrom(...ITEMS),
  at: fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("row" as const),
        table: fc.constantFrom("a" as const, "b" as const),
        index: fc.nat(),
        copyKeys: fc.constantFrom(true, true, false),
        nudge: fc.constantFrom(-1, 0, 0, 1),
        plusTtl: fc.constantFrom(null, "byKey" as const, "byUserItem" as const, "recent" as const),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: "before" as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: "after" as const }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("any" as const),
        us: fc.integer({ min: BASE - 2 * US, max: BASE + 20 * US }),
      }),
    },
  ),
  offsetMin: fc.constantFrom(0, 0, 330, -480, 60, 345, -570),
  trim: fc.boolean(),
});

/**
 * Runs per engine: 100 on Postgres (about 5 s here), 60 on DuckDB (which writes two Parquet files and
 * opens a DuckDB per run; about 6 s), so that the file stays well under a minute on a busy box.
 */
const RUNS: Record<Engine, number> = { postgres: 100, duckdb: 60 };

describe.each(ENGINES)("point-in-time retrieval on %s (property)", (engine) => {
  it("matches the brute-force reference for random sources, views and entity rows", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          keyA: fc.constantFrom("user_id" as const, "item" as const),
          tableA: tableArb,
          tableB: tableArb,
          rowsA: fc.array(rowArb, { maxLength: 60, size: "max" }),
          rowsB: fc.array(rowArb, { maxLength: 60, size: "max" }),
          ttl: fc.record({ byKey: ttlArb, byUserItem: ttlArb, recent: ttlArb }),
          entities: fc.array(entityArb, { minLength: 1, maxLength: 35, size: "max" }),
          dups: fc.array(fc.record({ from: fc.nat(), to: fc.nat() }), { maxLength: 5 }),
        }),
        async ({ keyA, tableA, tableB, rowsA, rowsB, ttl, entities, dups }) => {
          // Table a: one join key, int64 or string. Table b: two, the int64 one under another column
          // name (fieldMapping) and another event time column name.
          const specA: TableSpec = {
            name: "pit_a",
            keyCols: [{ column: keyA, sqlType: keyA === "user_id" ? "bigint" : "text" }],
            tsColumn: "event_ts",
            tsType: tableA.tsType,
            createdColumn: tableA.hasCreated ? "created" : null,
          };
          const specB: TableSpec = {
            name: "pit_b",
            keyCols: [
              { column: "uid", sqlType: "bigint" },
              { column: "item", sqlType: "text" },
            ],
            tsColumn: "happened_at",
            tsType: tableB.tsType,
            createdColumn: tableB.hasCreated ? "created_at" : null,
          };
          const toRow = (spec: TableSpec, keys: string[]) => (g: GenRow) =>
            ({ ...g, keys, created: spec.createdColumn ? g.created : null }) as SrcRow;
          const a = rowsA.map((g) => toRow(specA, [keyA === "user_id" ? g.user : g.item])(g));
          const b = rowsB.map((g) => toRow(specB, [g.user, g.item])(g));
          await load(engine, specA, a);
          await load(engine, specB, b);

          const sourceA = sourceOf(engine, specA);
          const sourceB = sourceOf(engine, specB, { uid: "user_id" });
          const keyAType = keyA === "user_id" ? ("int64" as const) : ("string" as const);
          const recentFields = ["f_ts", "f_int"];
          const views: { pit: PitView; ref: RefView }[] = [
            {
              pit: pitView("byKey", sourceA, [{ name: keyA, valueType: keyAType }], ttl.byKey),
              ref: { keyNames: [keyA], ttlSeconds: ttl.byKey, rows: a },
            },
            {
              pit: pitView(
                "byUserItem",
                sourceB,
                [
                  { name: "user_id", valueType: "int64" },
                  { name: "item", valueType: "string" },
                ],
                ttl.byUserItem,
              ),
              ref: { keyNames: ["user_id", "item"], ttlSeconds: ttl.byUserItem, rows: b },
            },
            {
              pit: pitView(
                "recent",
                sourceA,
                [{ name: keyA, valueType: keyAType }],
                ttl.recent,
                recentFields,
              ),
              ref: { keyNames: [keyA], ttlSeconds: ttl.recent, rows: a },
            },
          ];

          // Entity rows: times at, 1 µs around, and a TTL after source rows' event times; before and
          // after all data; anywhere; then some rows duplicated.
          const resolved = entities.map((e) => {
            const keys = { user_id: e.user, item: e.item };
            let at: Us;
            const { at: recipe } = e;
            if (recipe.kind === "before") at = BASE - 86_400 * US;
            else if (recipe.kind === "after") at = BASE + 86_400 * US;
            else if (recipe.kind === "any") at = recipe.us;
            else {
              const rows = recipe.table === "a" ? a : b;
              const row = rows[recipe.index % Math.max(rows.length, 1)];
              if (!row) at = BASE + 3 * US;
              else {
                at = row.ts + recipe.nudge + (recipe.plusTtl ? ttl[recipe.plusTtl] * US : 0);
                if (recipe.copyKeys) {
                  if (recipe.table === "b") [keys.user_id, keys.item] = row.keys as [string, string];
                  else keys[keyA] = row.keys[0] ?? "";
                }
              }
            }
            return { keys, t: at, text: requestTime(at, e.offsetMin, e.trim) };
          });
          for (const { from, to } of dups) {
            const copy = resolved[from % resolved.length];
            if (copy) resolved.splice(to % (resolved.length + 1), 0, copy);
          }

          const got = await pointInTime(
            t.offline,
            P,
            views.map((v) => v.pit),
            {
              keys: {
                user_id: resolved.map((e) => requestInt(e.keys.user_id)),
                item: resolved.map((e) => e.keys.item),
              },
              times: resolved.map((e) => e.text),
            },
          );

          for (const { pit, ref } of views) {
            const fields = pit.fields.map((f) => f.name);
            for (const f of fields) expect(got.get(pit.name)?.get(f)).toHaveLength(resolved.length);
            resolved.forEach((entity, i) => {
              const answer = answerRow(got, pit.name, fields, i);
              const candidates = referenceCandidates(ref, entity);
              const where = `view ${pit.name}, entity row ${i} ${JSON.stringify(entity)}`;
              if (candidates.length <= 1)
                expect(answer, where).toEqual(expectedRow(candidates[0] ?? null, fields));
              // A full tie: any tied row is right, but all fields must come from the same one.
              else
                expect(
                  candidates.map((c) => expectedRow(c, fields)),
                  where,
                ).toContainEqual(answer);
            });
          }
        },
      ),
      { numRuns: RUNS[engine] },
    );
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
// The edge cases, written out.

describe.each(ENGINES)("point-in-time retrieval on %s (examples)", (engine) => {
  const spec: TableSpec = {
    name: "pit_ex",
    keyCols: [{ column: "user_id", sqlType: "bigint" }],
    tsColumn: "event_ts",
    tsType: "timestamptz",
    createdColumn: "created",
  };
  const T = Date.parse("2026-03-01T10:00:00Z") * 1000 + 123_456;
  const row = (
    user: string,
    ts: Us,
    created: Us | null,
    fStr: string,
    more: Partial<SrcRow> = {},
  ): SrcRow => ({
    keys: [user],
    ts,
    created,
    fFloat: 0,
    fInt: "0",
    fStr,
    fFlag: null,
    fTs: null,
    ...more,
  });
  const run = (ttlSeconds: number, users: number[], times: string[]) =>
    pointInTime(
      t.offline,
      P,
      [pitView("v", sourceOf(engine, spec), [{ name: "user_id", valueType: "int64" }], ttlSeconds)],
      {
        keys: { user_id: users },
        times,
      },
    );
  const column = (got: Map<string, Map<string, unknown[]>>, feature: string) => got.get("v")?.get(feature);

  it("breaks a tie on event_ts with the greater created, whatever the insertion order", async () => {
    await load(engine, spec, [
      row("1", T, T + 1, "older created"),
      row("1", T, T + 2, "newer created"),
      row("2", T, T + 2, "newer created"),
      row("2", T, T + 1, "older created"),
    ]);
    const got = await run(0, [1, 2], [isoUs(T), isoUs(T)]);
    expect(column(got, "f_str")).toEqual(["newer created", "newer created"]);
  });

  it("lets a NULL created lose a tie to any created time", async () => {
    await load(engine, spec, [
      row("1", T, null, "no created"),
      row("1", T, 0, "created 1970"),
      row("2", T, 0, "created 1970"),
      row("2", T, null, "no created"),
    ]);
    const got = await run(0, [1, 2], [isoUs(T + US), isoUs(T + US)]);
    expect(column(got, "f_str")).toEqual(["created 1970", "created 1970"]);
  });

  it("includes a row exactly ttl old and excludes one 1 µs older", async () => {
    await load(engine, spec, [row("1", T, null, "at T")]);
    // T = 10:00:00.123456Z; the request writes its times at +02:00.
    const got = await run(
      60,
      [1, 1, 1, 1],
      [
        "2026-03-01T12:00:00.123455+02:00", // 1 µs before the row: nothing yet
        "2026-03-01T12:00:00.123456+02:00", // exactly the row's event time
        "2026-03-01T12:01:00.123456+02:00", // t - ttl = the row's event time: included
        "2026-03-01T12:01:00.123457+02:00", // t - ttl is 1 µs after the row: excluded
      ],
    );
    expect(column(got, "f_str")).toEqual([null, "at T", "at T", null]);
  });

  it("answers nulls before all data, and every type of the latest row after it, in request order", async () => {
    await load(engine, spec, [
      row("1", T - US, null, "old"),
      row("1", T, null, "latest", {
        fFloat: 1.5,
        fInt: "9007199254740993",
        fFlag: true,
        fTs: Date.parse("2025-12-31T23:59:59Z") * 1000 + 1,
      }),
    ]);
    const before = "2020-01-01T00:00:00Z";
    const after = "2030-01-01T00:00:00.5Z";
    const got = await run(0, [1, 1, 1, 2], [before, after, after, after]);
    expect(Object.fromEntries(got.get("v") ?? [])).toEqual({
      f_float: [null, 1.5, 1.5, null],
      f_int: [null, "9007199254740993", "9007199254740993", null],
      f_str: [null, "latest", "latest", null],
      f_flag: [null, true, true, null],
      f_ts: [null, "2025-12-31T23:59:59.000001Z", "2025-12-31T23:59:59.000001Z", null],
    });
  });
});
