import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DuckDBBlobValue, DuckDBListValue, DuckDBTimestampTZValue, DuckDBValue } from "@duckdb/node-api";
import { type Table, tableFromIPC } from "apache-arrow";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { PROJECT, postJson, seedServing } from "../../test/helpers/serving";
import type { Ctx } from "../core/context";
import { duckString, withDuckDb } from "../offline/duckdb";
import { createDataSource, createFeatureView } from "../registry";
import { handleGetHistoricalFeatures } from "../web/http-handlers";
import { historicalTable } from "./get-historical-features";
import { toArrowStream } from "./tabular/arrow";
import { writeParquetFile } from "./tabular/parquet";

/**
 * The same historical rows as JSON, CSV, Parquet and Arrow through the REST door: every value and
 * every column type of the typed formats is compared with the JSON answer (int64 beyond 2^53,
 * microseconds, nulls, lists, bytes, doubles, bools, duplicate rows), plus zero rows and the 400s a
 * typed format adds. The writers on their own: server/serving/tabular/tabular.test.ts.
 */
let t: TestDb;
let ctx: Ctx;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-formats-"));

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedServing(ctx, t);
  await t.offlineSql(
    PROJECT,
    `create table typed_stats (
      driver_id bigint not null, big bigint, n integer, ratio real, score double precision, flag boolean,
      payload bytea, seen timestamptz, counts bigint[], names text[], stamps timestamptz[], label text,
      odd bigint, event_timestamp timestamptz not null);
    insert into typed_stats values
      (1, 9223372036854775807, -2147483648, 0.1, 0.30000000000000004, true, '\\x00ff10',
       '2026-01-01T00:00:00.123456Z', '{1,9007199254740993,NULL}', '{a,NULL,"x,\\"y"}',
       '{2026-01-01T00:00:00.000001Z,NULL}', 'héllo', 2, '2026-01-01T00:00:00Z'),
      (9007199254740993, -9007199254740993, 0, -0.5, -1e300, false, '\\x', '1969-12-31T23:59:59.999999Z',
       '{}', '{}', '{}', '', 1, '2026-01-01T00:00:00Z'),
      (2, null, null, null, null, null, null, null, null, null, null, null, null, '2026-01-01T00:00:00Z');`,
  );
  await createDataSource({
    ctx,
    input: {
      project: PROJECT,
      name: "typed_source",
      kind: "table",
      tableName: `${PROJECT}.typed_stats`,
      timestampField: "event_timestamp",
    },
  });
  await createFeatureView({
    ctx,
    input: {
      project: PROJECT,
      spec: {
        name: "typed",
        entities: ["driver"],
        source: "typed_source",
        ttlSeconds: 0,
        fields: [
          { name: "big", dtype: "int64" },
          { name: "n", dtype: "int32" },
          { name: "ratio", dtype: "float32" },
          { name: "score", dtype: "float64" },
          { name: "flag", dtype: "bool" },
          { name: "payload", dtype: "bytes" },
          { name: "seen", dtype: "unix_timestamp" },
          { name: "counts", dtype: "list<int64>" },
          { name: "names", dtype: "list<string>" },
          { name: "stamps", dtype: "list<unix_timestamp>" },
          { name: "label", dtype: "string" },
          // Registered on a bigint column that then became numeric (below): 1.5 cannot be an int64.
          { name: "odd", dtype: "int64" },
        ],
      },
    },
  });
  // A source table may change under a registered view (registration checks types, docs/adr/0025):
  // reads must still refuse a value its declared type cannot hold.
  await t.offlineSql(
    PROJECT,
    "alter table typed_stats alter column odd type numeric; update typed_stats set odd = 1.5 where odd = 1",
  );
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await t.drop();
});

const FEATURES = [
  "typed:big",
  "typed:n",
  "typed:ratio",
  "typed:score",
  "typed:flag",
  "typed:payload",
  "typed:seen",
  "typed:counts",
  "typed:names",
  "typed:stamps",
  "typed:label",
];

/** Entity rows: a key beyond 2^53 as text, a duplicate row, a row before all data, one with no data. */
const ENTITIES = {
  driver_id: [1, "9007199254740993", 1, 2, 3, 1],
  event_timestamp: [
    "2026-01-02T00:00:00.000001Z",
    "2026-01-02",
    "2026-01-02T00:00:00.000001Z",
    "2026-01-03T01:02:03.456789+02:00",
    "2026-01-02",
    "2025-12-31T23:59:59.999999",
  ],
};

/** By hand: each column's Arrow type and DuckDB's name for its Parquet type. */
const TYPES: [name: string, arrow: string, parquet: string][] = [
  ["driver_id", "Int64", "BIGINT"],
  ["event_timestamp", "Timestamp<MICROSECOND, UTC>", "TIMESTAMP WITH TIME ZONE"],
  ["big", "Int64", "BIGINT"],
  ["n", "Int32", "INTEGER"],
  ["ratio", "Float32", "FLOAT"],
  ["score", "Float64", "DOUBLE"],
  ["flag", "Bool", "BOOLEAN"],
  ["payload", "Binary", "BLOB"],
  ["seen", "Timestamp<MICROSECOND, UTC>", "TIMESTAMP WITH TIME ZONE"],
  ["counts", "List<Int64>", "BIGINT[]"],
  ["names", "List<Utf8>", "VARCHAR[]"],
  ["stamps", "List<Timestamp<MICROSECOND, UTC>>", "TIMESTAMP WITH TIME ZONE[]"],
  ["label", "Utf8", "VARCHAR"],
];

/** The entity times as instants, by hand (the JSON answer echoes them as sent). */
const EVENT_TIMES = [
  "2026-01-02T00:00:00.000001Z",
  "2026-01-02T00:00:00.000000Z",
  "2026-01-02T00:00:00.000001Z",
  "2026-01-02T23:02:03.456789Z",
  "2026-01-02T00:00:00.000000Z",
  "2025-12-31T23:59:59.999999Z",
];

const ask = (body: Record<string, unknown>) =>
  handleGetHistoricalFeatures(
    postJson("get-historical-features", {
      project: PROJECT,
      features: FEATURES,
      entities: ENTITIES,
      ...body,
    }),
    async () => ctx,
  );

interface Answer {
  metadata: { feature_names: string[] };
  results: { values: unknown[] }[];
}

/**
 * One canonical form for a JSON value and a value read from a file: integers as bigint, float32
 * as its float32, bytes as hex, times as ISO text to the microsecond in UTC.
 */
function fromJson(type: string, v: unknown): unknown {
  if (v === null) return null;
  if (type.startsWith("List")) return (v as unknown[]).map((x) => fromJson(type.slice(5, -1), x));
  if (type === "Int64") return BigInt(v as string | number);
  if (type === "Float32") return Math.fround(v as number);
  if (type === "Binary") return Buffer.from(v as string, "base64").toString("hex");
  return v;
}

function isoMicros(micros: bigint): string {
  const seconds = micros >= 0n ? micros / 1_000_000n : -((-micros + 999_999n) / 1_000_000n);
  const fraction = micros - seconds * 1_000_000n;
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${String(fraction).padStart(6, "0")}Z`;
}

function fromDuck(v: DuckDBValue): unknown {
  if (v === null) return null;
  if (typeof v === "object" && "micros" in v) return isoMicros((v as DuckDBTimestampTZValue).micros);
  if (typeof v === "object" && "bytes" in v) return Buffer.from((v as DuckDBBlobValue).bytes).toString("hex");
  if (typeof v === "object" && "items" in v) return (v as DuckDBListValue).items.map(fromDuck);
  return v;
}

/** Column by column, values from the raw buffers (timestamps' get() gives milliseconds). */
function fromArrow(table: Table, name: string): unknown[] {
  const out: unknown[] = [];
  const vector = table.getChild(name);
  for (const data of vector?.data ?? []) {
    const isTime = String(data.type).startsWith("Timestamp");
    const isTimeList = String(data.type).startsWith("List<Timestamp");
    for (let i = 0; i < data.length; i++) {
      if (!data.getValid(i)) out.push(null);
      else if (isTime) out.push(isoMicros(data.values[i] as bigint));
      else if (isTimeList) {
        const child = data.children[0];
        const items: unknown[] = [];
        for (let k = data.valueOffsets[i] ?? 0; k < (data.valueOffsets[i + 1] ?? 0); k++)
          items.push(child?.getValid(k) ? isoMicros(child.values[k] as bigint) : null);
        out.push(items);
      } else {
        const v = vector?.get(out.length);
        out.push(
          v instanceof Uint8Array
            ? Buffer.from(v).toString("hex")
            : String(data.type).startsWith("List")
              ? [...(v as Iterable<unknown>)].map((x) =>
                  x instanceof Uint8Array ? Buffer.from(x).toString("hex") : x,
                )
              : v,
        );
      }
    }
  }
  return out;
}

async function readParquet(file: string) {
  return withDuckDb({ allowedDirs: [path.dirname(file)], timeoutMs: 10_000 }, async (c) => {
    const reader = await c.runAndReadAll(`SELECT * FROM read_parquet(${duckString(file)})`);
    const schema = await c.runAndReadAll(
      `SELECT name, type, logical_type FROM parquet_schema(${duckString(file)}) WHERE name IN ('event_timestamp', 'seen')`,
    );
    return {
      names: reader.columnNames(),
      types: reader.columnTypes().map(String),
      columns: reader.getColumns().map((c) => c.map(fromDuck)),
      timestamps: schema.getRowObjectsJson(),
    };
  });
}

describe("historical formats", () => {
  it("give the JSON answer's values and the views' types as CSV, Parquet and Arrow", async () => {
    const json = (await (await ask({})).json()) as Answer;
    expect(json.metadata.feature_names).toEqual(TYPES.map(([name]) => name));
    // The rows themselves, for the record: a key beyond 2^53, the duplicate, and nulls.
    expect(json.results[0]?.values).toEqual(ENTITIES.driver_id);
    expect(json.results[2]?.values).toEqual([
      "9223372036854775807",
      "-9007199254740993",
      "9223372036854775807",
      null,
      null,
      null,
    ]);
    expect(json.results[8]?.values[0]).toBe("2026-01-01T00:00:00.123456Z");
    const expected = TYPES.map(([name, arrow], c) =>
      name === "event_timestamp"
        ? EVENT_TIMES
        : (json.results[c]?.values ?? []).map((v) => fromJson(arrow, v)),
    );

    const csv = await ask({ format: "csv" });
    expect(csv.headers.get("content-disposition")).toBe('attachment; filename="historical-features.csv"');
    const cells = parse(await csv.text(), { record_delimiter: "\r\n" }) as string[][];
    expect(cells[0]).toEqual(json.metadata.feature_names);
    expect(cells.slice(1)).toEqual(
      ENTITIES.driver_id.map((_, r) =>
        json.results.map(({ values }) => {
          const v = values[r];
          return v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
        }),
      ),
    );

    const pq = await ask({ format: "parquet" });
    expect(pq.status).toBe(200);
    expect(pq.headers.get("content-type")).toBe("application/vnd.apache.parquet");
    expect(pq.headers.get("content-disposition")).toBe('attachment; filename="historical-features.parquet"');
    const file = path.join(dir, "answer.parquet");
    fs.writeFileSync(file, new Uint8Array(await pq.arrayBuffer()));
    const parquet = await readParquet(file);
    expect(parquet.names).toEqual(TYPES.map(([name]) => name));
    expect(parquet.types).toEqual(TYPES.map(([, , type]) => type));
    expect(parquet.columns).toEqual(expected);
    // Stored as Parquet's INT64 TIMESTAMP(MICROS) adjusted to UTC.
    for (const ts of parquet.timestamps)
      expect(String(ts.logical_type)).toMatch(/isAdjustedToUTC=1.*MICROS=Micro/);

    const arrow = await ask({ format: "arrow" });
    expect(arrow.headers.get("content-type")).toBe("application/vnd.apache.arrow.stream");
    expect(arrow.headers.get("content-disposition")).toBe(
      'attachment; filename="historical-features.arrows"',
    );
    const table = tableFromIPC(new Uint8Array(await arrow.arrayBuffer()));
    expect(table.schema.fields.map((f) => [f.name, String(f.type)])).toEqual(
      TYPES.map(([name, type]) => [name, type]),
    );
    expect(TYPES.map(([name]) => fromArrow(table, name))).toEqual(expected);
  });

  it("keeps the JSON answer as it was: no types or other fields added", async () => {
    const res = await ask({
      features: ["typed:big"],
      entities: { driver_id: [1], event_timestamp: ["2026-01-02"] },
    });
    expect(await res.text()).toBe(
      '{"metadata":{"feature_names":["driver_id","event_timestamp","big"],"feature_view_versions":{"typed":1}},"results":[{"values":[1]},{"values":["2026-01-02"]},{"values":["9223372036854775807"]}]}',
    );
  });

  it("answers 400 before streaming when a value cannot take its column's type", async () => {
    const badKey = { driver_id: [1, "abc"], event_timestamp: ["2026-01-02", "2026-01-02"] };
    for (const format of ["parquet", "arrow"]) {
      const key = await ask({ format, entities: badKey });
      expect(key.status).toBe(400);
      expect(await key.json()).toMatchObject({ field: "entities.driver_id.1" });
      // The numeric 1.5 of an int64 feature: JSON and CSV give it as it is, Parquet and Arrow cannot.
      const odd = {
        features: ["typed:odd"],
        entities: {
          driver_id: [1, 9007199254740993n.toString()],
          event_timestamp: ["2026-01-02", "2026-01-02"],
        },
      };
      const refused = await ask({ format, ...odd });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toMatch(
        /column "odd" \(int64\), row 1: "1.5"/,
      );
      const asJson = (await (await ask(odd)).json()) as Answer;
      expect(asJson.results[2]?.values).toEqual([2, "1.5"]);
    }
  });

  it("zero rows: the API refuses empty entities, and the writers give files of the answer's columns", async () => {
    for (const format of ["json", "csv", "parquet", "arrow"]) {
      const res = await ask({ format, entities: { driver_id: [], event_timestamp: [] } });
      expect(res.status).toBe(400);
    }
    const { getHistoricalFeatures } = await import("./get-historical-features");
    const answer = await getHistoricalFeatures({
      ctx,
      input: { project: PROJECT, features: FEATURES, entities: ENTITIES },
    });
    const empty = { columns: historicalTable(answer).columns, batches: [] };
    const file = path.join(dir, "empty.parquet");
    expect(await writeParquetFile(file, empty)).toBe(0);
    const parquet = await readParquet(file);
    expect(parquet.types).toEqual(TYPES.map(([, , type]) => type));
    expect(parquet.columns.every((c) => c.length === 0)).toBe(true);
    const table = tableFromIPC(new Uint8Array(await new Response(toArrowStream(empty)).arrayBuffer()));
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => String(f.type))).toEqual(TYPES.map(([, type]) => type));
  });
});
