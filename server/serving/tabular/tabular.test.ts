import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DuckDBBlobValue, DuckDBListValue, DuckDBTimestampTZValue } from "@duckdb/node-api";
import { type Table, tableFromIPC } from "apache-arrow";
import { afterAll, describe, expect, it } from "vitest";
import type { ValueType } from "../../core/vocabulary";
import { duckString, withDuckDb } from "../../offline/duckdb";
import { arrowChunks, toArrowStream } from "./arrow";
import {
  type ColumnBatch,
  fromColumns,
  type Tabular,
  type TabularColumn,
  TabularValueError,
} from "./columns";
import { converts, toInt32, toInt64, toMicros } from "./convert";
import { toCsvStream } from "./csv";
import { toParquetStream, writeParquetFile } from "./parquet";

/**
 * The tabular writers on batches: streamed one batch at a time, exact int64 and microseconds,
 * nulls, lists and bytes, zero rows, and what happens to a value that does not fit its type. The
 * expected values below are written by hand; historical-formats.int.test.ts runs them over HTTP.
 */

const root = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-tabular-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const COLUMNS: TabularColumn[] = [
  { name: "id", type: "int64" },
  { name: "at", type: "unix_timestamp" },
  { name: "n", type: "int32" },
  { name: "x", type: "float64" },
  { name: "r", type: "float32" },
  { name: "ok", type: "bool" },
  { name: "s", type: "string" },
  { name: "b", type: "bytes" },
  { name: "l", type: "list<int64>" },
  { name: "lt", type: "list<unix_timestamp>" },
];

/** Three batches (the middle one empty), in the JSON form the API answers with. */
const BATCHES: ColumnBatch[] = [
  {
    rows: 2,
    values: [
      ["9223372036854775807", 1],
      ["2026-01-01T00:00:00.000001Z", "2026-01-02"],
      [-2147483648, null],
      [0.30000000000000004, null],
      [0.1, null],
      [true, null],
      ['a,"b"', null],
      ["AP8Q", null],
      [["9007199254740993", null, -1], null],
      [["1969-12-31T23:59:59.999999Z", null], []],
    ],
  },
  { rows: 0, values: COLUMNS.map(() => []) },
  {
    rows: 1,
    values: [
      ["-9223372036854775808"],
      ["2026-01-31T12:00:00.123456+02:00"],
      [7],
      [1e300],
      [2.5],
      [false],
      [""],
      [""],
      [[]],
      [["2026-01-01T00:00:00Z"]],
    ],
  },
];

/** The same rows as read back, by hand: bigints, microseconds as ISO text, bytes as hex. */
const EXPECTED = [
  {
    id: 9223372036854775807n,
    at: "2026-01-01T00:00:00.000001Z",
    n: -2147483648,
    x: 0.30000000000000004,
    r: Math.fround(0.1),
    ok: true,
    s: 'a,"b"',
    b: "00ff10",
    l: [9007199254740993n, null, -1n],
    lt: ["1969-12-31T23:59:59.999999Z", null],
  },
  {
    id: 1n,
    at: "2026-01-02T00:00:00.000000Z",
    n: null,
    x: null,
    r: null,
    ok: null,
    s: null,
    b: null,
    l: null,
    lt: [],
  },
  {
    id: -9223372036854775808n,
    at: "2026-01-31T10:00:00.123456Z",
    n: 7,
    x: 1e300,
    r: 2.5,
    ok: false,
    s: "",
    b: "",
    l: [],
    lt: ["2026-01-01T00:00:00.000000Z"],
  },
];

/** A table whose batches are produced one at a time; `pulled` counts how many were asked for. */
function lazyTable(batches = BATCHES) {
  const state = { pulled: 0 };
  const table: Tabular = {
    columns: COLUMNS,
    batches: (async function* () {
      for (const b of batches) {
        state.pulled++;
        yield b;
      }
    })(),
  };
  return { table, state };
}

function isoMicros(micros: bigint): string {
  const seconds = micros >= 0n ? micros / 1_000_000n : -((-micros + 999_999n) / 1_000_000n);
  const fraction = micros - seconds * 1_000_000n;
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${String(fraction).padStart(6, "0")}Z`;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** Rows of an Arrow table, timestamps from their raw microseconds (get() would give milliseconds). */
function arrowRows(table: Table) {
  const rows: Record<string, unknown>[] = [];
  for (const batch of table.batches) {
    for (let i = 0; i < batch.numRows; i++) {
      const row: Record<string, unknown> = {};
      for (const column of COLUMNS) {
        const vector = batch.getChild(column.name);
        if (!vector) throw new Error(`no column ${column.name}`);
        const data = vector.data[0];
        if (!data) throw new Error("no data");
        if (!vector.isValid(i)) {
          row[column.name] = null;
          continue;
        }
        if (column.type === "unix_timestamp") row[column.name] = isoMicros(data.values[i] as bigint);
        else if (column.type === "list<unix_timestamp>") {
          const child = data.children[0];
          const [from, to] = [data.valueOffsets[i] ?? 0, data.valueOffsets[i + 1] ?? 0];
          const out: unknown[] = [];
          for (let k = from; k < to; k++)
            out.push(child?.getValid(k) ? isoMicros(child.values[k] as bigint) : null);
          row[column.name] = out;
        } else {
          const v = vector.get(i);
          row[column.name] =
            v instanceof Uint8Array
              ? hex(v)
              : column.type.startsWith("list<")
                ? [...(v as Iterable<unknown>)]
                : v;
        }
      }
      rows.push(row);
    }
  }
  return rows;
}

async function parquetRows(file: string) {
  return withDuckDb({ allowedDirs: [path.dirname(file)], timeoutMs: 10_000 }, async (c) => {
    const reader = await c.runAndReadAll(`SELECT * FROM read_parquet(${duckString(file)})`);
    const types = reader.columnTypes().map(String);
    const rows = reader.getRowObjects().map((r) =>
      Object.fromEntries(
        COLUMNS.map(({ name, type }) => {
          const v = r[name];
          if (v === null || v === undefined) return [name, null];
          if (type === "unix_timestamp") return [name, isoMicros((v as DuckDBTimestampTZValue).micros)];
          if (type === "bytes") return [name, hex((v as DuckDBBlobValue).bytes)];
          if (type === "list<unix_timestamp>")
            return [
              name,
              (v as DuckDBListValue).items.map((x) =>
                x === null ? null : isoMicros((x as DuckDBTimestampTZValue).micros),
              ),
            ];
          if (type.startsWith("list<")) return [name, (v as DuckDBListValue).items];
          return [name, v];
        }),
      ),
    );
    return { types, rows };
  });
}

async function readAll(stream: ReadableStream<Uint8Array>) {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe("converters", () => {
  it("keep int64 exact and refuse what would round", () => {
    expect(toInt64("9223372036854775807")).toBe(9223372036854775807n);
    expect(toInt64("9223372036854775808")).toBeUndefined();
    expect(toInt64(2 ** 53)).toBeUndefined(); // a JSON number that large may already be rounded
    expect(toInt64(1.5)).toBeUndefined();
    expect(toInt64("1.5")).toBeUndefined();
    expect(toInt32("2147483648")).toBeUndefined();
    expect(toInt32(-2147483648)).toBe(-2147483648);
  });

  it("read times to the microsecond, with offsets, before 1970 and without a zone", () => {
    expect(toMicros("1970-01-01T00:00:00.000001Z")).toBe(1n);
    expect(toMicros("1969-12-31T23:59:59.999999Z")).toBe(-1n);
    expect(toMicros("1970-01-02T00:00:00.5+01:00")).toBe(82_800_500_000n);
    expect(toMicros("1970-01-01 00:01")).toBe(60_000_000n);
    expect(toMicros("1970-01-01T00:00:00.1234569Z")).toBe(123_456n); // the 7th digit is dropped
    expect(toMicros(new Date(1500))).toBe(1_500_000n);
    expect(toMicros("2026-02-30")).toBeUndefined();
    expect(toMicros("yesterday")).toBeUndefined();
  });

  it("check values without converting them, agreeing with the converters", () => {
    const cases: [ValueType, unknown, boolean][] = [
      ["int64", "9223372036854775807", true],
      ["int64", "9223372036854775808", false],
      ["int64", "-9223372036854775808", true],
      ["int64", 2 ** 53, false],
      ["int64", "1.5", false],
      ["int32", 2 ** 31, false],
      ["float64", "1e-7", true],
      ["float64", "NaN", false],
      ["bytes", "AP8Q", true],
      ["bytes", "AP8", false],
      ["unix_timestamp", "2024-02-29T23:59:59.999999-01:30", true],
      ["unix_timestamp", "2023-02-29", false],
      ["unix_timestamp", "2026-01-01T12:60", false],
      ["list<int64>", ["1", null, 2], true],
      ["list<int64>", ["1", 1.5], false],
      ["list<string>", "a", false],
      ["bool", "true", false],
    ];
    for (const [type, value, fits] of cases)
      expect(converts(value, type), `${type} ${String(value)}`).toBe(fits);
  });
});

describe("Arrow IPC stream", () => {
  it("sends the schema, then each batch as it is read, then the end marker", async () => {
    const { table, state } = lazyTable();
    const chunks = arrowChunks(table);
    const schema = await chunks.next();
    expect(state.pulled).toBe(0);
    const first = await chunks.next();
    expect(state.pulled).toBe(1);
    const rest: Uint8Array[] = [];
    for await (const c of chunks) rest.push(c);
    expect(state.pulled).toBe(3);
    const bytes = Buffer.concat([schema.value as Uint8Array, first.value as Uint8Array, ...rest]);
    const read = tableFromIPC(bytes);
    expect(read.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual([
      "id: Int64",
      "at: Timestamp<MICROSECOND, UTC>",
      "n: Int32",
      "x: Float64",
      "r: Float32",
      "ok: Bool",
      "s: Utf8",
      "b: Binary",
      "l: List<Int64>",
      "lt: List<Timestamp<MICROSECOND, UTC>>",
    ]);
    expect(read.batches).toHaveLength(2); // the empty batch sends nothing
    expect(arrowRows(read)).toEqual(EXPECTED);
  });

  it("writes a schema and no rows for zero rows", async () => {
    const read = tableFromIPC(await readAll(toArrowStream({ columns: COLUMNS, batches: [] })));
    expect(read.numRows).toBe(0);
    expect(read.schema.fields.map((f) => String(f.type))).toContain("Timestamp<MICROSECOND, UTC>");
  });

  it("fails the stream on a value its column cannot take, naming the column and the table's row", async () => {
    const bad: ColumnBatch = {
      ...(BATCHES[2] as ColumnBatch),
      values: [["1.5"], ...(BATCHES[2]?.values.slice(1) ?? [])],
    };
    const { table } = lazyTable([BATCHES[0] as ColumnBatch, bad]);
    const error = await readAll(toArrowStream(table)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TabularValueError);
    expect(error).toMatchObject({ column: "id", row: 2, value: "1.5" });
  });
});

describe("Parquet", () => {
  it("writes several batches in order, in parts merged into one file, with exact types", async () => {
    for (const rowsPerPart of [100, 1]) {
      const file = path.join(root, `rows-${rowsPerPart}.parquet`);
      expect(await writeParquetFile(file, lazyTable().table, { rowsPerPart, tempRoot: root })).toBe(3);
      const { types, rows } = await parquetRows(file);
      expect(types).toEqual([
        "BIGINT",
        "TIMESTAMP WITH TIME ZONE",
        "INTEGER",
        "DOUBLE",
        "FLOAT",
        "BOOLEAN",
        "VARCHAR",
        "BLOB",
        "BIGINT[]",
        "TIMESTAMP WITH TIME ZONE[]",
      ]);
      expect(rows).toEqual(EXPECTED);
    }
    // Only the files written here: no temp folder is left behind.
    expect(fs.readdirSync(root).sort()).toEqual(["rows-1.parquet", "rows-100.parquet"]);
  });

  it("streams the file and removes its temp folder at the end and on cancel", async () => {
    const temp = fs.mkdtempSync(path.join(root, "stream-"));
    const bytes = await readAll(toParquetStream(lazyTable().table, { tempRoot: temp }));
    expect(Buffer.from(bytes.subarray(0, 4)).toString()).toBe("PAR1");
    expect(fs.readdirSync(temp)).toEqual([]);
    const file = path.join(root, "streamed.parquet");
    fs.writeFileSync(file, bytes);
    expect((await parquetRows(file)).rows).toEqual(EXPECTED);
    fs.rmSync(file);

    const reader = toParquetStream(lazyTable().table, { tempRoot: temp }).getReader();
    await reader.read();
    await reader.cancel();
    expect(fs.readdirSync(temp)).toEqual([]);
    fs.rmSync(temp, { recursive: true });
  });

  it("writes a valid file of zero rows with the columns' types", async () => {
    const file = path.join(root, "empty.parquet");
    expect(await writeParquetFile(file, { columns: COLUMNS, batches: [] })).toBe(0);
    const { types, rows } = await parquetRows(file);
    expect(rows).toEqual([]);
    expect(types[1]).toBe("TIMESTAMP WITH TIME ZONE");
    fs.rmSync(file);
  });

  it("refuses a value its column cannot take and leaves no file", async () => {
    const file = path.join(root, "bad.parquet");
    const bad: Tabular = fromColumns([{ name: "id", type: "int64" }], [[1, "x"]]);
    await expect(writeParquetFile(file, bad, { tempRoot: root })).rejects.toMatchObject({
      column: "id",
      row: 1,
    });
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.readdirSync(root).filter((f) => f.startsWith("quiver-parquet-"))).toEqual([]);
  });
});

describe("CSV", () => {
  it("writes the same text whatever the batches, and a header for zero rows", async () => {
    const text = async (t: Tabular) => new TextDecoder().decode(await readAll(toCsvStream(t, 1)));
    const batched = await text(lazyTable().table);
    expect(batched).toBe(
      "id,at,n,x,r,ok,s,b,l,lt\r\n" +
        '9223372036854775807,2026-01-01T00:00:00.000001Z,-2147483648,0.30000000000000004,0.1,true,"a,""b""",AP8Q,"[""9007199254740993"",null,-1]","[""1969-12-31T23:59:59.999999Z"",null]"\r\n' +
        "1,2026-01-02,,,,,,,,[]\r\n" +
        '-9223372036854775808,2026-01-31T12:00:00.123456+02:00,7,1e+300,2.5,false,,,[],"[""2026-01-01T00:00:00Z""]"\r\n',
    );
    const whole = fromColumns(
      COLUMNS,
      COLUMNS.map((_, c) => BATCHES.flatMap((b) => b.values[c] ?? [])),
    );
    expect(await text(whole)).toBe(batched);
    expect(await text({ columns: COLUMNS, batches: [] })).toBe("id,at,n,x,r,ok,s,b,l,lt\r\n");
  });
});
