/**
 * Point-in-time retrieval (docs/adr/0022-point-in-time-retrieval.md) against hand-written SQL, on
 * the same data, in the same run:
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:historical          (30+ min)
 *   DATABASE_URL=... npm run bench:historical -- --quick            (50k entity rows, 250k rows: 2 min)
 *   DATABASE_URL=... npm run bench:historical -- --entities 1000000 --rows 5000000 --keys 200000
 *
 * In a database of its own (dropped at the end) it builds three feature views' source tables of
 * --rows rows each (generate_series; mixed feature types; --keys entities; rows in event-time
 * order, as an event log is written; one row in 50 ties the previous row's key and time, one in 20
 * has no created time) with an index on (driver_id, event_ts), the index the engine needs
 * (--no-index leaves it out, to see what the forms cost without it), and --entities entity rows
 * (keys drawn from the entities plus 2 % unknown ones, times spread over the data's span and 5 %
 * past each end). Then, medians of --rounds alternating rounds:
 *   - main: Quiver's Postgres engine through pointInTimeChunks over all entity rows x 3 views, as
 *     the project's reader role, chunks consumed and discarded (wall time, entity rows/s, peak RSS
 *     sampled every 20 ms), against one hand-written LATERAL statement over the same rows (a temp
 *     table, loaded and analyzed outside the timing) and features, as the database owner, streamed
 *     with DECLARE CURSOR + FETCH and counted; the ratio quiver / raw. Both answers are
 *     fingerprinted (row position and one feature per view) and must agree.
 *   - forms (--forms all|none|a,b): SQL forms of the same join, each run like the engine runs its
 *     own (per chunk, as the reader role unless the form needs more; statement and fetch only) over
 *     the first --form-entities entity rows (default 200,000), fingerprinted against the first.
 *   - chunks (--chunk-sweep 10000,50000,100000): the main Quiver run at each chunk size.
 *   - duckdb: the same sources as Parquet in the project's file area; Quiver's DuckDB engine
 *     (pointInTimeChunks over file sources) against a hand-written DuckDB ASOF JOIN over the same
 *     files, fingerprinted against each other and against the Postgres answer.
 * --parts main,forms,chunks,duckdb picks what runs (default all). --keep leaves the database in
 * place and prints its name; --reuse <name> runs on it again without building (same sizes only).
 * Loopback only. Flags may also come from the environment: BENCH_ENTITIES, BENCH_ROWS, BENCH_KEYS,
 * BENCH_ROUNDS, BENCH_CHUNK, BENCH_FORMS, BENCH_FORM_ENTITIES, BENCH_CHUNK_SWEEP, BENCH_PARTS.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { createOfflineStore, type OfflineStore, quoteIdent } from "../server/offline";
import { duckString, withDuckDb } from "../server/offline/duckdb";
import { pointInTimeChunks } from "../server/offline/historical/engine";
import {
  featureSelects,
  ORD,
  type PitView,
  pointInTimeStatement,
  pointInTimeValues,
} from "../server/offline/historical/query";
import type { PitRequest } from "../server/offline/historical/types";

// ---------------------------------------------------------------------------------------------
// Settings.

const { values: flags } = parseArgs({
  options: {
    entities: { type: "string" },
    rows: { type: "string" },
    keys: { type: "string" },
    rounds: { type: "string" },
    chunk: { type: "string" },
    forms: { type: "string" },
    "form-entities": { type: "string" },
    "chunk-sweep": { type: "string" },
    "no-index": { type: "boolean" },
    quick: { type: "boolean" },
    keep: { type: "boolean" },
    parts: { type: "string" },
    reuse: { type: "string" },
  },
});
const quick = flags.quick === true;
const setting = (flag: string | undefined, envName: string, full: string, fast: string) =>
  flag ?? process.env[envName] ?? (quick ? fast : full);
const int = (name: string, text: string, min: number) => {
  const n = Number(text.replaceAll("_", ""));
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return n;
};
const ENTITIES = int("entities", setting(flags.entities, "BENCH_ENTITIES", "1000000", "50000"), 1);
const ROWS = int("rows", setting(flags.rows, "BENCH_ROWS", "5000000", "250000"), 1);
const KEYS = int("keys", setting(flags.keys, "BENCH_KEYS", "200000", "10000"), 1);
const ROUNDS = int("rounds", setting(flags.rounds, "BENCH_ROUNDS", "3", "3"), 1);
/** undefined: the engine's default chunk size. */
const CHUNK = flags.chunk ?? process.env.BENCH_CHUNK;
const CHUNK_ROWS = CHUNK === undefined ? undefined : int("chunk", CHUNK, 1);
const FORM_ENTITIES = Math.min(
  ENTITIES,
  int("form-entities", setting(flags["form-entities"], "BENCH_FORM_ENTITIES", "200000", "50000"), 1),
);
const SWEEP = setting(flags["chunk-sweep"], "BENCH_CHUNK_SWEEP", "10000,50000,100000", "5000,20000")
  .split(",")
  .filter((s) => s !== "" && s !== "none")
  .map((s) => int("chunk-sweep", s, 1));
const INDEXED = flags["no-index"] !== true;
const PARTS = new Set((flags.parts ?? process.env.BENCH_PARTS ?? "main,forms,chunks,duckdb").split(","));
const PROJECT = "bench";
const LOOPBACK = ["127.0.0.1", "localhost", "::1", "[::1]"];
/** The data's span: one year of events. */
const SPAN_START = Date.UTC(2025, 0, 1);
const SPAN_MS = 365 * 86_400_000;

// ---------------------------------------------------------------------------------------------
// The three views: one entity (driver_id, int64), mixed feature types, one view with a ttl. The
// first feature of each is a float that is never null: the fingerprint reads it.

interface BenchFeature {
  name: string;
  dtype: PitView["fields"][number]["dtype"];
  sqlType: string;
  /** SQL generating the value for row i (event time `ts`). */
  gen: string;
}
interface BenchView {
  name: string;
  ttlSeconds: number;
  features: BenchFeature[];
}

const nullSome = (expr: string) => `CASE WHEN random() < 0.02 THEN NULL ELSE ${expr} END`;
const VIEWS: BenchView[] = [
  {
    name: "driver_hourly",
    ttlSeconds: 0,
    features: [
      { name: "conv_rate", dtype: "float64", sqlType: "double precision", gen: "random()" },
      { name: "acc_rate", dtype: "float32", sqlType: "real", gen: nullSome("random()::real") },
      { name: "trips", dtype: "int64", sqlType: "bigint", gen: "(random() * 100000)::bigint" },
      { name: "rating", dtype: "int32", sqlType: "integer", gen: nullSome("(random() * 5)::int") },
    ],
  },
  {
    name: "driver_daily",
    ttlSeconds: 30 * 86_400,
    features: [
      { name: "avg_fare", dtype: "float64", sqlType: "double precision", gen: "random() * 80" },
      { name: "city", dtype: "string", sqlType: "text", gen: "'city_' || (random() * 500)::int" },
      { name: "active", dtype: "bool", sqlType: "boolean", gen: nullSome("random() < 0.8") },
      {
        name: "last_trip",
        dtype: "unix_timestamp",
        sqlType: "timestamptz",
        gen: nullSome("ts - random() * interval '2 days'"),
      },
    ],
  },
  {
    name: "driver_profile",
    ttlSeconds: 0,
    features: [
      { name: "score", dtype: "float64", sqlType: "double precision", gen: "random() * 100" },
      { name: "tier", dtype: "string", sqlType: "text", gen: "(array['bronze','silver','gold'])[1 + i % 3]" },
      { name: "lifetime_trips", dtype: "int64", sqlType: "bigint", gen: nullSome("i * 7 % 1000003") },
      {
        name: "signup_date",
        dtype: "unix_timestamp",
        sqlType: "timestamp",
        gen: "(ts - (i % 1000) * interval '1 day') AT TIME ZONE 'UTC'",
      },
    ],
  },
];

const table = (v: BenchView) => `${PROJECT}.${v.name}`;
const pitViews: PitView[] = VIEWS.map((v) => ({
  name: v.name,
  source: {
    name: `${v.name}_source`,
    kind: "table",
    tableName: table(v),
    query: null,
    timestampField: "event_ts",
    createdTimestampField: "created",
    fieldMapping: {},
  },
  ttlSeconds: v.ttlSeconds,
  joinKeys: [{ name: "driver_id", valueType: "int64" }],
  fields: v.features.map((f) => ({ name: f.name, dtype: f.dtype })),
}));

// ---------------------------------------------------------------------------------------------
// Measuring.

const now = () => Number(process.hrtime.bigint()) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** The process's peak RSS while it runs: sampled every 20 ms and whenever the caller asks. */
function rssPeak() {
  let peak = process.memoryUsage().rss;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 20);
  return {
    sample,
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/**
 * An order-free fingerprint of an answer: per view and entity row, its position and the view's
 * first feature (a float, never null in a source row), summed modulo 2^32. Two answers that pick
 * the same source rows for the same entity rows have the same fingerprint.
 */
class Fingerprint {
  sum = 0;
  matched = 0;
  add(view: number, ord: number, value: unknown) {
    let h = Math.imul(ord ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(view + 1, 0xc2b2ae35);
    if (value !== null && value !== undefined) {
      this.matched++;
      h ^= Math.floor(Number(value) * 2 ** 31);
    } else h ^= 0x5bd1e995;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    this.sum = (this.sum + ((h ^ (h >>> 12)) >>> 0)) >>> 0;
  }
  toString() {
    return `${this.sum.toString(16).padStart(8, "0")} (${fmt(this.matched)} matched)`;
  }
}

interface RunResult {
  ms: number;
  rows: number;
  peakRss: number;
  print: string;
}

// ---------------------------------------------------------------------------------------------
// The data.

/** A small deterministic PRNG (mulberry32): the same entity rows in every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function entityRows(n: number): PitRequest {
  const rand = prng(22);
  const keys = new Array<number>(n);
  const times = new Array<string>(n);
  const known = Math.ceil(KEYS * 1.02);
  for (let i = 0; i < n; i++) {
    keys[i] = 1 + Math.floor(rand() * known);
    times[i] = new Date(SPAN_START + Math.floor((rand() * 1.1 - 0.05) * SPAN_MS)).toISOString();
  }
  return { keys: { driver_id: keys }, times };
}

async function buildSources(admin: pg.Client) {
  const stepMs = SPAN_MS / ROWS;
  for (const v of VIEWS) {
    const t = now();
    const cols = v.features.map((f) => `${quoteIdent(f.name)} ${f.sqlType}`).join(", ");
    await admin.query(
      `CREATE TABLE ${table(v)} (driver_id bigint NOT NULL, event_ts timestamptz NOT NULL, created timestamptz, ${cols})`,
    );
    // Row i: key from a hash of i, time i steps into the span; one row in 50 repeats the previous
    // row's key and time (a tie that created decides: the two created times always differ, so each
    // entity row has exactly one right answer), one in 20 has no created time.
    await admin.query(
      `SELECT setseed(0.22);
       INSERT INTO ${table(v)}
       SELECT k, ts, CASE WHEN i % 20 = 7 THEN NULL ELSE ts + (i::bigint * 7919 % 3600) * interval '1 second' END,
              ${v.features.map((f) => f.gen).join(", ")}
       FROM (SELECT i, 1 + abs(hashint8(CASE WHEN i % 50 = 1 THEN i - 1 ELSE i END)) % ${KEYS} AS k,
                    timestamptz '${new Date(SPAN_START).toISOString()}'
                      + (CASE WHEN i % 50 = 1 THEN i - 1 ELSE i END) * interval '1 millisecond' * ${stepMs} AS ts
             FROM generate_series(0, ${ROWS - 1}) AS i) AS g`,
    );
    if (INDEXED)
      await admin.query(
        `CREATE INDEX ${quoteIdent(`${v.name}_driver_id_event_ts_idx`)} ON ${table(v)} (driver_id, event_ts)`,
      );
    await admin.query(`VACUUM ANALYZE ${table(v)}`);
    const { rows } = await admin.query<{ size: string }>(
      "SELECT pg_size_pretty(pg_total_relation_size($1)) AS size",
      [table(v)],
    );
    console.log(`  ${table(v)}: ${fmt(ROWS)} rows, ${rows[0]?.size} (${((now() - t) / 1000).toFixed(0)} s)`);
  }
}

// ---------------------------------------------------------------------------------------------
// The two sides.

async function quiverRun(
  store: OfflineStore,
  req: PitRequest,
  chunkRows?: number,
  views: readonly PitView[] = pitViews,
): Promise<RunResult> {
  const rss = rssPeak();
  const print = new Fingerprint();
  const first = views.map((v) => v.fields[0]?.name ?? "");
  let rows = 0;
  const t = now();
  for await (const chunk of pointInTimeChunks(store, PROJECT, views, req, chunkRows)) {
    views.forEach((v, vi) => {
      const column = chunk.columns.get(v.name)?.get(first[vi] ?? "") ?? [];
      if (column.length !== chunk.rows) throw new Error(`view ${v.name}: ${column.length} of ${chunk.rows}`);
      for (let i = 0; i < chunk.rows; i++) print.add(vi, chunk.offset + i + 1, column[i]);
    });
    rows += chunk.rows;
    rss.sample();
  }
  const ms = now() - t;
  return { ms, rows, peakRss: rss.stop(), print: print.toString() };
}

/** Loads the entity rows into a temp table of the raw side's session (not timed). */
async function loadRawEntities(admin: pg.Client, req: PitRequest): Promise<number> {
  const t = now();
  await admin.query(
    "CREATE TEMP TABLE bench_entities (ord bigint PRIMARY KEY, driver_id bigint, ts timestamptz)",
  );
  const keys = req.keys.driver_id ?? [];
  for (let i = 0; i < req.times.length; i += 100_000)
    await admin.query(
      `INSERT INTO bench_entities SELECT ord + $3, k, ts
       FROM unnest($1::int8[], $2::timestamptz[]) WITH ORDINALITY AS u(k, ts, ord)`,
      [keys.slice(i, i + 100_000), req.times.slice(i, i + 100_000), i],
    );
  await admin.query("ANALYZE bench_entities");
  return now() - t;
}

/** The hand-written statement: one LATERAL per view over the temp table, plain columns. */
function rawQuery(): string {
  const laterals = VIEWS.map((v, i) => {
    const ttl = v.ttlSeconds > 0 ? ` AND s.event_ts >= e.ts - interval '${v.ttlSeconds} seconds'` : "";
    return `LEFT JOIN LATERAL (
      SELECT ${v.features.map((f) => `s.${quoteIdent(f.name)}`).join(", ")} FROM ${table(v)} s
      WHERE s.driver_id = e.driver_id AND s.event_ts <= e.ts${ttl}
      ORDER BY s.event_ts DESC, s.created DESC NULLS LAST LIMIT 1) f${i} ON true`;
  });
  const cols = VIEWS.flatMap((v, i) => v.features.map((f) => `f${i}.${quoteIdent(f.name)}`));
  return `SELECT e.ord, ${cols.join(", ")} FROM bench_entities e\n${laterals.join("\n")}`;
}

async function rawRun(admin: pg.Client): Promise<RunResult> {
  const rss = rssPeak();
  const print = new Fingerprint();
  // Column of each view's first feature in the answer row (after ord).
  const firstCol: number[] = [];
  let at = 1;
  for (const v of VIEWS) {
    firstCol.push(at);
    at += v.features.length;
  }
  let rows = 0;
  const t = now();
  await admin.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    await admin.query(`DECLARE raw_pit NO SCROLL CURSOR FOR ${rawQuery()}`);
    for (;;) {
      const r = await admin.query<unknown[]>({ text: "FETCH 10000 FROM raw_pit", rowMode: "array" });
      if (r.rows.length === 0) break;
      for (const row of r.rows) {
        const ord = Number(row[0]);
        firstCol.forEach((c, vi) => {
          print.add(vi, ord, row[c]);
        });
      }
      rows += r.rows.length;
      rss.sample();
    }
  } finally {
    await admin.query("COMMIT");
  }
  const ms = now() - t;
  return { ms, rows, peakRss: rss.stop(), print: print.toString() };
}

// ---------------------------------------------------------------------------------------------
// Other SQL forms of the same join, each run like the engine runs its own: per chunk of entity
// rows, the rows fetched whole (arrays), positions read from the ordinal column. "kept" is
// query.ts's statement as the engine sends it; the others are written here.

interface Statement {
  text: string;
  values: unknown[];
  /** The views the statement answers, and the answer column of each one's first feature. */
  views: number[];
  first: number[];
}

interface Form {
  name: string;
  /** What the form is, in a line. */
  about: string;
  /** One chunk's statements; each answers the ordinal in column 0. */
  statements(chunk: PitRequest): Statement[];
  /** "admin": needs a session that may create temp tables (the reader may not). */
  as?: "admin";
  /** Statements run before the form's own (answering nothing), in the same session. */
  setup?(chunk: PitRequest): { text: string; values: unknown[] }[];
  /** Too slow to repeat: measured once. */
  slow?: boolean;
}

const keyCol = (v: PitView) => `src.${quoteIdent(v.joinKeys[0]?.name ?? "")}`;
/** Every view here has one int8 key: $1 keys, $2 times, $3 the ttl when the view has one. */
const ttlCond = (v: PitView, t: string) =>
  v.ttlSeconds > 0 ? ` AND src.event_ts >= ${t} - make_interval(secs => $3)` : "";
const UNNEST = `unnest($1::int8[], $2::timestamptz[]) WITH ORDINALITY AS e(k0, __ts, ${ORD})`;
const paramsOf = (v: PitView, c: PitRequest) => [
  (c.keys.driver_id ?? []).map(String),
  c.times,
  ...(v.ttlSeconds > 0 ? [v.ttlSeconds] : []),
];

/** The LATERAL ... ORDER BY event_ts DESC, created DESC NULLS LAST LIMIT 1 of a view, over e. */
function lateralLimit1(v: PitView): string {
  return `LEFT JOIN LATERAL (
  SELECT ${featureSelects(v).join(", ")} FROM ${v.source.tableName} src
  WHERE ${keyCol(v)} = e.k0 AND src.event_ts <= e.__ts${ttlCond(v, "e.__ts")}
  ORDER BY src.event_ts DESC, src.created DESC NULLS LAST LIMIT 1) f ON true`;
}

/** One statement per view, each answering ord and the view's features. */
const perView = (c: PitRequest, text: (v: PitView) => string): Statement[] =>
  pitViews.map((v, vi) => ({ text: text(v), values: paramsOf(v, c), views: [vi], first: [1] }));

/** query.ts's statement for these views, with its values. */
function kept(views: number[], c: PitRequest): Statement {
  const st = pointInTimeStatement(views.map((vi) => pitViews[vi]).filter((v) => v !== undefined));
  return {
    text: st.text,
    values: pointInTimeValues(st, c.keys, c.times),
    views,
    first: st.columns.map((cols) => cols[0] ?? -1),
  };
}

const FORMS: Form[] = [
  {
    name: "kept",
    about: "query.ts: one statement for all views, key-sorted entity rows, max(event_ts) then created",
    statements: (c) => [
      kept(
        pitViews.map((_, vi) => vi),
        c,
      ),
    ],
  },
  {
    name: "kept-per-view",
    about: "the same statement, one per view",
    statements: (c) => pitViews.map((_, vi) => kept([vi], c)),
  },
  {
    name: "lateral-all-views",
    about:
      "one statement for all views, key-sorted, LATERAL ... ORDER BY event_ts DESC, created DESC LIMIT 1",
    statements: (c) => {
      const ttls = pitViews.filter((v) => v.ttlSeconds > 0);
      const first: number[] = [];
      const cols: string[] = [];
      const joins = pitViews.map((v, vi) => {
        first.push(cols.length + 1);
        cols.push(...v.fields.map((f) => `f${vi}.${quoteIdent(f.name)}`));
        const ttl = v.ttlSeconds > 0 ? `$${3 + ttls.indexOf(v)}` : "";
        return lateralLimit1(v)
          .replace(/\$3/g, ttl)
          .replace(/ f ON true$/, ` f${vi} ON true`);
      });
      return [
        {
          text: `SELECT e.${ORD}, ${cols.join(", ")} FROM (SELECT * FROM ${UNNEST} ORDER BY k0, __ts) e\n${joins.join("\n")}`,
          values: [(c.keys.driver_id ?? []).map(String), c.times, ...ttls.map((v) => v.ttlSeconds)],
          views: pitViews.map((_, vi) => vi),
          first,
        },
      ];
    },
  },
  {
    name: "lateral",
    about:
      "the first form (ADR 0022): per view, LATERAL ... ORDER BY event_ts DESC, created DESC LIMIT 1, ORDER BY ord",
    statements: (c) =>
      perView(c, (v) => `SELECT e.${ORD}, f.* FROM ${UNNEST}\n${lateralLimit1(v)}\nORDER BY e.${ORD}`),
  },
  {
    name: "lateral-unordered",
    about: "the same without the final ORDER BY (rows placed by ord in the client)",
    statements: (c) => perView(c, (v) => `SELECT e.${ORD}, f.* FROM ${UNNEST}\n${lateralLimit1(v)}`),
  },
  {
    name: "lateral-keysorted",
    about: "the same over entity rows sorted by (key, time)",
    statements: (c) =>
      perView(
        c,
        (v) => `SELECT e.${ORD}, f.* FROM (SELECT * FROM ${UNNEST} ORDER BY k0, __ts) e\n${lateralLimit1(v)}`,
      ),
  },
  {
    name: "lateral-timesorted",
    about: "the same over entity rows sorted by time",
    statements: (c) =>
      perView(
        c,
        (v) => `SELECT e.${ORD}, f.* FROM (SELECT * FROM ${UNNEST} ORDER BY __ts) e\n${lateralLimit1(v)}`,
      ),
  },
  {
    name: "distinct-on",
    about: "DISTINCT ON (ord) over a join of entity rows and source rows, ORDER BY ord, time DESC",
    slow: true,
    statements: (c) =>
      perView(
        c,
        (v) => `SELECT DISTINCT ON (e.${ORD}) e.${ORD}, ${featureSelects(v).join(", ")}
FROM ${UNNEST}
LEFT JOIN ${v.source.tableName} src ON ${keyCol(v)} = e.k0 AND src.event_ts <= e.__ts${ttlCond(v, "e.__ts")}
ORDER BY e.${ORD}, src.event_ts DESC, src.created DESC NULLS LAST`,
      ),
  },
  {
    name: "window",
    about: "a UNION ALL of entity rows and the chunk keys' source rows, sorted once, windowed",
    slow: true,
    statements: (c) =>
      perView(c, (v) => {
        const names = v.fields.map((f) => quoteIdent(f.name));
        const nulls = names.map((n, i) => `NULL::${sqlTypeOf(v, i)} AS ${n}`);
        const ttl = v.ttlSeconds > 0 ? "src_ts >= ts - make_interval(secs => $3)" : "true";
        // Source rows sort before entity rows of the same time (event_ts <= t); among source rows
        // of one time the greater created comes later, NULL first. Each source row starts a group;
        // an entity row's group starts with the latest source row at or before it.
        return `WITH u AS (
  SELECT e.k0 AS k, e.__ts AS ts, 1 AS side, NULL::timestamptz AS cr, e.${ORD}, ${nulls.join(", ")} FROM ${UNNEST}
  UNION ALL
  SELECT ${keyCol(v)}, src.event_ts, 0, src.created, NULL, ${featureSelects(v).join(", ")}
  FROM ${v.source.tableName} src WHERE ${keyCol(v)} = ANY($1::int8[])
), g AS (
  SELECT u.*, count(*) FILTER (WHERE side = 0)
    OVER (PARTITION BY k ORDER BY ts, side, cr NULLS FIRST ROWS UNBOUNDED PRECEDING) AS grp FROM u
), w AS (
  SELECT side, ts, ${ORD}, first_value(CASE WHEN side = 0 THEN ts END) OVER p AS src_ts,
    ${names.map((n) => `first_value(${n}) OVER p AS ${n}`).join(", ")}
  FROM g WINDOW p AS (PARTITION BY k, grp ORDER BY side)
)
SELECT ${ORD}, ${names.map((n) => `CASE WHEN ${ttl} THEN ${n} END AS ${n}`).join(", ")} FROM w WHERE side = 1`;
      }),
  },
  {
    name: "temp-table",
    about:
      "entity rows into a temp table + ANALYZE per chunk, then LATERAL (as the owner: the reader may not)",
    as: "admin",
    slow: true,
    setup: (c) => [
      { text: "TRUNCATE bench_form_entities", values: [] },
      {
        text: `INSERT INTO bench_form_entities SELECT * FROM ${UNNEST}`,
        values: [(c.keys.driver_id ?? []).map(String), c.times],
      },
      { text: "ANALYZE bench_form_entities", values: [] },
    ],
    statements: () =>
      pitViews.map((v, vi) => ({
        text: `SELECT e.${ORD}, f.* FROM bench_form_entities e\n${lateralLimit1(v).replace("$3", "$1")}\nORDER BY e.${ORD}`,
        values: v.ttlSeconds > 0 ? [v.ttlSeconds] : [],
        views: [vi],
        first: [1],
      })),
  },
];

/** The SQL type a feature select yields (the union's entity side must match it). */
function sqlTypeOf(v: PitView, i: number): string {
  const dtype = v.fields[i]?.dtype;
  if (dtype === "int64" || dtype === "string" || dtype === "unix_timestamp") return "text";
  return VIEWS[pitViews.indexOf(v)]?.features[i]?.sqlType ?? "text";
}

async function formRun(
  form: Form,
  store: OfflineStore,
  admin: pg.Client,
  req: PitRequest,
): Promise<RunResult> {
  // pointInTimeChunks's default when --chunk is not given.
  const chunkRows = CHUNK_ROWS ?? 100_000;
  const print = new Fingerprint();
  const rss = rssPeak();
  let rows = 0;
  const t = now();
  for (let offset = 0; offset < req.times.length; offset += chunkRows) {
    const end = Math.min(req.times.length, offset + chunkRows);
    const chunk: PitRequest = {
      keys: { driver_id: (req.keys.driver_id ?? []).slice(offset, end) },
      times: req.times.slice(offset, end),
    };
    const run = async (client: pg.ClientBase) => {
      for (const s of form.setup?.(chunk) ?? []) await client.query(s.text, s.values);
      for (const s of form.statements(chunk)) {
        const r = await client.query<unknown[]>({ text: s.text, values: s.values, rowMode: "array" });
        if (r.rows.length !== end - offset)
          throw new Error(`${form.name}: ${r.rows.length} rows for ${end - offset} entity rows`);
        s.views.forEach((vi, j) => {
          const col = s.first[j] ?? -1;
          for (const row of r.rows) print.add(vi, offset + Number(row[0]), row[col]);
        });
      }
    };
    if (form.as === "admin") await run(admin);
    else await store.transaction(PROJECT, "scan", run);
    rows += end - offset;
    rss.sample();
  }
  return { ms: now() - t, rows, peakRss: rss.stop(), print: print.toString() };
}

// ---------------------------------------------------------------------------------------------
// DuckDB: Quiver's DuckDB engine against DuckDB's own ASOF JOIN over the same data as Parquet.

/** The DuckDB types of the sources' columns, for reading the exported CSV. */
const DUCK_TYPE: Record<string, string> = {
  bigint: "BIGINT",
  integer: "INTEGER",
  real: "FLOAT",
  "double precision": "DOUBLE",
  text: "VARCHAR",
  boolean: "BOOLEAN",
  timestamptz: "TIMESTAMPTZ",
  timestamp: "TIMESTAMP",
};
const FILE_FOLDER = "bench-pit";
const fileViews: PitView[] = pitViews.map((v) => ({
  ...v,
  source: {
    ...v.source,
    kind: "file",
    tableName: null,
    path: `${FILE_FOLDER}/${v.name}.parquet`,
    fileFormat: "parquet",
  },
}));

/**
 * The three sources as Parquet files in the project's file area, row for row: each table is read
 * with a cursor into a CSV beside it (text as Postgres prints it, NULL as an empty field), which a
 * DuckDB of the bench's own (the same sandbox, the same folder) turns into Parquet.
 */
async function writeParquet(store: OfflineStore, admin: pg.Client): Promise<void> {
  const dir = path.join(store.files.dirOf(PROJECT), FILE_FOLDER);
  fs.mkdirSync(dir, { recursive: true });
  await admin.query("SET TIME ZONE 'UTC'");
  for (const v of VIEWS) {
    const t = now();
    const columns = [
      { name: "driver_id", sqlType: "bigint" },
      { name: "event_ts", sqlType: "timestamptz" },
      { name: "created", sqlType: "timestamptz" },
      ...v.features,
    ];
    const text = (c: { name: string; sqlType: string }) =>
      c.sqlType === "boolean"
        ? `coalesce(CASE WHEN ${quoteIdent(c.name)} THEN 'true' ELSE 'false' END, '')`
        : `coalesce(${quoteIdent(c.name)}::text, '')`;
    const csv = path.join(dir, `${v.name}.csv`);
    const out = fs.createWriteStream(csv);
    await admin.query("BEGIN");
    await admin.query(
      `DECLARE export NO SCROLL CURSOR FOR SELECT ${columns.map(text).join(` || ',' || `)} FROM ${table(v)}`,
    );
    for (;;) {
      const r = await admin.query<[string]>({ text: "FETCH 100000 FROM export", rowMode: "array" });
      if (r.rows.length === 0) break;
      const chunk = `${r.rows.map((row) => row[0]).join("\n")}\n`;
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    }
    await admin.query("COMMIT");
    await new Promise<void>((resolve, reject) => {
      out.once("error", reject);
      out.end(() => resolve());
    });
    const types = columns.map(
      (c) => `${duckString(c.name)}: ${duckString(DUCK_TYPE[c.sqlType] ?? "VARCHAR")}`,
    );
    await withDuckDb({ allowedDirs: [dir], timeoutMs: 3_600_000 }, (conn) =>
      conn.run(
        `COPY (SELECT * FROM read_csv(${duckString(csv)}, header = false, columns = {${types.join(", ")}}))
         TO ${duckString(path.join(dir, `${v.name}.parquet`))} (FORMAT parquet)`,
      ),
    );
    fs.rmSync(csv);
    const size = fs.statSync(path.join(dir, `${v.name}.parquet`)).size;
    console.log(`  ${FILE_FOLDER}/${v.name}.parquet: ${mb(size)} (${((now() - t) / 1000).toFixed(0)} s)`);
  }
}

/**
 * The hand-written side: one DuckDB like the engine's (withDuckDb's defaults: its memory limit and
 * threads), the entity rows in a table (loaded from a CSV, not timed), then per view one statement:
 * the file's rows deduplicated on (key, event_ts) by the greatest created, an ASOF LEFT JOIN, the
 * ttl applied after it; streamed chunk by chunk, counted.
 */
/** Counts the values of a column read (so reading them is not optimised away). */
let touched = 0;
function rssTouch(column: readonly unknown[]): void {
  touched += column.length;
}
export const valuesTouched = () => touched;

async function duckRaw(store: OfflineStore, req: PitRequest): Promise<RunResult> {
  const dir = path.join(store.files.dirOf(PROJECT), FILE_FOLDER);
  const entities = path.join(dir, "entities.csv");
  const keys = req.keys.driver_id ?? [];
  fs.writeFileSync(entities, req.times.map((t, i) => `${i + 1},${keys[i]},${t}`).join("\n"));
  try {
    return await withDuckDb({ allowedDirs: [dir], timeoutMs: 3_600_000 }, async (conn) => {
      await conn.run(
        `CREATE TABLE e AS SELECT * FROM read_csv(${duckString(entities)}, header = false,
           columns = {'ord': 'BIGINT', 'driver_id': 'BIGINT', 'ts': 'TIMESTAMPTZ'})`,
      );
      // One statement per view: all three in one need more than the engine's memory limit.
      const statements = VIEWS.map((v) => {
        const file = duckString(path.join(dir, `${v.name}.parquet`));
        const cols = v.features.map((f) => {
          const c = `s.${quoteIdent(f.name)}`;
          return v.ttlSeconds > 0
            ? `CASE WHEN s.event_ts >= e.ts - INTERVAL ${v.ttlSeconds} SECOND THEN ${c} END`
            : c;
        });
        return `WITH s AS (SELECT * FROM read_parquet(${file})
            QUALIFY row_number() OVER (PARTITION BY driver_id, event_ts ORDER BY created DESC NULLS LAST) = 1)
          SELECT e.ord, ${cols.join(", ")} FROM e ASOF LEFT JOIN s ON e.driver_id = s.driver_id AND e.ts >= s.event_ts`;
      });
      const rss = rssPeak();
      const print = new Fingerprint();
      let rows = 0;
      const t = now();
      for (const [vi, sql] of statements.entries()) {
        const result = await conn.stream(sql);
        for (;;) {
          const chunk = await result.fetchChunk();
          if (!chunk || chunk.rowCount === 0) break;
          const ords = chunk.getColumnValues(0);
          // Every feature column read into JS, as the engine (and the Postgres raw side, whose rows
          // pg parses whole) must; only the first goes into the fingerprint.
          for (let c = 2; c < chunk.columnCount; c++) rssTouch(chunk.getColumnValues(c));
          chunk.getColumnValues(1).forEach((value, j) => {
            print.add(vi, Number(ords[j]), value);
          });
          if (vi === 0) rows += chunk.rowCount;
          rss.sample();
        }
      }
      return { ms: now() - t, rows, peakRss: rss.stop(), print: print.toString() };
    });
  } finally {
    fs.rmSync(entities, { force: true });
  }
}

/**
 * Quiver's DuckDB engine (server/offline/historical/duckdb-engine.ts, which pointInTimeChunks picks
 * for file sources) against the hand-written ASOF JOIN, over the same sources as Parquet files.
 */
async function duckDbComparison(
  store: OfflineStore,
  admin: pg.Client,
  req: PitRequest,
  postgresPrint: string | undefined,
): Promise<void> {
  console.log("\nDuckDB: the sources as Parquet in the project's file area");
  await writeParquet(store, admin);
  const quiver: RunResult[] = [];
  const raw: RunResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    raw.push(await duckRaw(store, req));
    quiver.push(await quiverRun(store, req, CHUNK_ROWS, fileViews));
    if (process.env.BENCH_VERBOSE)
      console.log(
        `  round ${round}: raw ${fmt(raw.at(-1)?.ms ?? 0)} ms, quiver ${fmt(quiver.at(-1)?.ms ?? 0)} ms`,
      );
  }
  const q = pickMedian(quiver);
  const r = pickMedian(raw);
  console.log(`point-in-time on DuckDB, ${fmt(ENTITIES)} entity rows x ${VIEWS.length} views`);
  line("quiver duckdb", q, `  ${q.print}`);
  line("raw ASOF JOIN", r, `  ${r.print}`);
  console.log(`  ratio quiver / raw   ${(q.ms / r.ms).toFixed(2)}x`);
  if (q.print !== r.print) throw new Error(`DuckDB: quiver and raw answers differ: ${q.print} vs ${r.print}`);
  if (postgresPrint && q.print !== postgresPrint)
    throw new Error(`the DuckDB and Postgres engines answer differently: ${q.print} vs ${postgresPrint}`);
}

/** The run of median time, with the peak RSS of all of them. */
function pickMedian(rs: RunResult[]): RunResult {
  const ms = median(rs.map((r) => r.ms));
  const r = rs.find((x) => x.ms === ms) ?? rs[0];
  if (!r) throw new Error("no runs");
  return { ...r, peakRss: Math.max(...rs.map((x) => x.peakRss)) };
}

// ---------------------------------------------------------------------------------------------

function line(label: string, r: RunResult, extra = "") {
  console.log(
    `  ${label.padEnd(20)} ${fmt(r.ms).padStart(8)} ms ${fmt((r.rows / r.ms) * 1000).padStart(10)} rows/s  peak RSS ${mb(r.peakRss).padStart(7)}${extra}`,
  );
}

async function main() {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    console.error("DATABASE_URL is required, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test");
    process.exit(2);
  }
  const host = new URL(serverUrl).hostname;
  if (!LOOPBACK.includes(host)) {
    console.error(`refusing to benchmark a non-loopback Postgres (${host})`);
    process.exit(2);
  }
  const formNames = setting(flags.forms, "BENCH_FORMS", "all", "all");
  const forms =
    formNames === "none"
      ? []
      : formNames === "all"
        ? FORMS
        : formNames.split(",").map((n) => {
            const f = FORMS.find((x) => x.name === n);
            if (!f) throw new Error(`--forms: no form ${n} (${FORMS.map((x) => x.name).join(", ")})`);
            return f;
          });

  const reuse = flags.reuse;
  if (reuse !== undefined && !/^quiver_bench_pit_[0-9a-f]{8}$/.test(reuse))
    throw new Error("--reuse takes the name of a database an earlier run kept (--keep)");
  const dbName = reuse ?? `quiver_bench_pit_${randomBytes(4).toString("hex")}`;
  const keep = flags.keep === true || reuse !== undefined;
  const server = new pg.Client({ connectionString: serverUrl });
  await server.connect();
  if (!reuse) await server.query(`CREATE DATABASE ${dbName}`);
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  const admin = new pg.Client({ connectionString: u.toString() });
  const rolePrefix = `qbh_${randomBytes(4).toString("hex")}`;
  const store = createOfflineStore({
    adminUrl: u.toString(),
    secret: randomBytes(24).toString("hex"),
    rolePrefix,
    connectionsPerProject: 2,
    querySources: false,
    timeouts: { probeMs: 60_000, scanMs: 3_600_000, writeMs: 60_000, lockMs: 10_000 },
    loadSpace: async () => ({ own: [PROJECT], shared: [] }),
    // The bench's own file area (the DuckDB half's Parquet files), removed at the end.
    filesDir: path.join(os.tmpdir(), `quiver-files-${dbName}`),
  });

  try {
    await admin.connect();
    const { rows: info } = await admin.query<{ v: string; sb: string; wm: string }>(
      "SELECT current_setting('server_version') AS v, current_setting('shared_buffers') AS sb, current_setting('work_mem') AS wm",
    );
    console.log(
      `historical bench: ${fmt(ENTITIES)} entity rows x ${VIEWS.length} views of ${fmt(ROWS)} rows, ${fmt(KEYS)} entities, ` +
        `index on (driver_id, event_ts): ${INDEXED ? "yes" : "no"}, chunk ${CHUNK_ROWS ?? "engine default"}, ` +
        `median of ${ROUNDS}`,
    );
    console.log(
      `Postgres ${info[0]?.v} (shared_buffers ${info[0]?.sb}, work_mem ${info[0]?.wm}), node ${process.version}, ` +
        `${os.cpus().length} cores`,
    );
    await store.provision(PROJECT);
    const sizes = `rows=${ROWS} keys=${KEYS} index=${INDEXED}`;
    if (reuse) {
      const { rows } = await admin.query<{ sizes: string }>("SELECT sizes FROM bench_meta");
      if (rows[0]?.sizes !== sizes) throw new Error(`${reuse} holds ${rows[0]?.sizes}, not ${sizes}`);
      console.log(`reusing the sources in ${reuse}`);
    } else {
      console.log("building sources");
      await buildSources(admin);
      await admin.query("CREATE TABLE public.bench_meta AS SELECT $1::text AS sizes", [sizes]);
    }
    const req = entityRows(ENTITIES);
    const loadMs = await loadRawEntities(admin, req);
    console.log(
      `  entity rows: ${fmt(ENTITIES)} built, raw temp table loaded in ${fmt(loadMs)} ms (not timed)`,
    );
    const baseRss = process.memoryUsage().rss;
    console.log(`  RSS before the runs: ${mb(baseRss)}`);

    // Warm-up: both sides once on a slice, so neither pays for the first reads from disk.
    for (const v of VIEWS) await admin.query(`SELECT count(*) FROM ${table(v)}`);

    const quiver: RunResult[] = [];
    const raw: RunResult[] = [];
    for (let round = 0; round < (PARTS.has("main") ? ROUNDS : 0); round++) {
      raw.push(await rawRun(admin));
      quiver.push(await quiverRun(store, req, CHUNK_ROWS));
      if (process.env.BENCH_VERBOSE)
        console.log(
          `  round ${round}: raw ${fmt(raw.at(-1)?.ms ?? 0)} ms, quiver ${fmt(quiver.at(-1)?.ms ?? 0)} ms`,
        );
    }
    const pick = pickMedian;
    const q = PARTS.has("main") ? pick(quiver) : undefined;
    const r = PARTS.has("main") ? pick(raw) : undefined;
    if (q && r) {
      console.log(
        `\npoint-in-time, ${fmt(ENTITIES)} entity rows x ${VIEWS.length} views (rows/s: entity rows)`,
      );
      line("quiver (chunks)", q, `  ${q.print}`);
      line("raw LATERAL cursor", r, `  ${r.print}`);
      console.log(`  ratio quiver / raw   ${(q.ms / r.ms).toFixed(2)}x`);
      if (q.print !== r.print) throw new Error(`quiver and raw answers differ: ${q.print} vs ${r.print}`);
    }

    if (forms.length > 0 && PARTS.has("forms")) {
      await admin.query(`CREATE TEMP TABLE bench_form_entities (k0 bigint, __ts timestamptz, ${ORD} bigint)`);
      const sub: PitRequest = {
        keys: { driver_id: (req.keys.driver_id ?? []).slice(0, FORM_ENTITIES) },
        times: req.times.slice(0, FORM_ENTITIES),
      };
      console.log(
        `\nSQL forms, first ${fmt(FORM_ENTITIES)} entity rows x ${VIEWS.length} views, chunks of ${fmt(CHUNK_ROWS ?? 100_000)}, statement + fetch only`,
      );
      const times = new Map<string, number[]>(forms.map((f) => [f.name, []]));
      const prints = new Map<string, string>();
      const failed = new Set<string>();
      for (let round = 0; round < ROUNDS; round++)
        for (const f of forms) {
          if (failed.has(f.name) || (f.slow && round > 0)) continue;
          try {
            const res = await formRun(f, store, admin, sub);
            times.get(f.name)?.push(res.ms);
            prints.set(f.name, res.print);
          } catch (e) {
            failed.add(f.name);
            console.log(`  ${f.name}: failed: ${e instanceof Error ? e.message : String(e)}`);
            await admin.query("ROLLBACK").catch(() => {});
          }
        }
      const reference = prints.get(forms[0]?.name ?? "");
      for (const f of forms) {
        const ms = median(times.get(f.name) ?? []);
        if (Number.isNaN(ms)) continue;
        const same =
          prints.get(f.name) === reference ? "same answer" : `DIFFERENT answer ${prints.get(f.name)}`;
        console.log(
          `  ${f.name.padEnd(18)} ${fmt(ms).padStart(8)} ms ${fmt((FORM_ENTITIES / ms) * 1000).padStart(10)} rows/s  ${same}  (${f.about})`,
        );
      }
    }

    if (SWEEP.length > 0 && PARTS.has("chunks")) {
      console.log(`\nchunk sizes, quiver over all ${fmt(ENTITIES)} entity rows (median of ${ROUNDS})`);
      for (const size of SWEEP) {
        const runs: RunResult[] = [];
        for (let round = 0; round < ROUNDS; round++) runs.push(await quiverRun(store, req, size));
        const s = pick(runs);
        line(`chunk ${fmt(size)}`, s, !q || s.print === q.print ? "" : "  DIFFERENT answer");
      }
    }

    if (PARTS.has("duckdb")) await duckDbComparison(store, admin, req, q?.print);
  } finally {
    const roles = store.roles(PROJECT);
    await store.close().catch(() => {});
    if (keep) {
      // The roles are this run's: their grants go, the data stays.
      await admin
        .query(`DROP OWNED BY ${quoteIdent(roles.reader)}, ${quoteIdent(roles.writer)}`)
        .catch(() => {});
      console.log(`\nkept database ${dbName} (--reuse ${dbName}; drop it when done)`);
    }
    await admin.end().catch(() => {});
    if (!keep) await server.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    fs.rmSync(store.files.root, { recursive: true, force: true });
    for (const role of [roles.reader, roles.writer])
      await server.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`).catch(() => {});
    await server.end().catch(() => {});
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
