import "server-only";
import type { DuckDBConnection } from "@duckdb/node-api";
import { BIGINT } from "@duckdb/node-api";
import { InvalidError, isDomainError, UnavailableError } from "../core/errors";
import type { FileFormat } from "../core/vocabulary";
import type { ValueType } from "../registry/schemas";
import { type DuckDbOptions, withDuckDb } from "./duckdb";
import { OfflineTimeoutError } from "./errors";
import {
  csvTextColumns,
  describeFileQuery,
  type FileColumns,
  fileLatestPerEntityQuery,
  fileNewestEventTsQuery,
  fileRelation,
  withTextColumns,
} from "./file-query";
import { CREATED_TS, EVENT_TS, type SourceDef, type ViewColumns } from "./source-query";
import { admitFile } from "./space";
import type { OfflineStore } from "./store";
import { toOnlineValue } from "./value-conversion";

/**
 * File sources read by DuckDB: the same services as the Postgres scans of source-reader.ts (latest
 * row per entity, the newest event, the columns) for a Parquet or CSV file in the project's file
 * area. Every read runs in a sandboxed in-memory DuckDB (duckdb.ts) allowed to touch only the
 * project's folder, under the probe or scan timeout, after admitFile (a plain file inside the
 * folder, no symbolic link on the way). DuckDB's error messages quote file contents (a CSV's
 * line, a value that failed a cast, a file's path), so none of them passes: fileError says what
 * kind of problem it was, naming only what the source definition says.
 */

export type FilePurpose = "probe" | "scan";

/** A file source admitted and opened: its absolute path, format and columns (as sniffed). */
export interface OpenFile {
  abs: string;
  format: FileFormat;
  columns: FileColumns;
}

/** Runs fn on a sandboxed DuckDB that may read only the project's folder, under the purpose's timeout. */
export async function withProjectDuckDb<T>(
  store: OfflineStore,
  project: string,
  purpose: FilePurpose,
  fn: (conn: DuckDBConnection) => Promise<T>,
  opts: Pick<DuckDbOptions, "disabledOptimizers"> = {},
): Promise<T> {
  const timeoutMs = purpose === "probe" ? store.timeouts.probeMs : store.timeouts.scanMs;
  return withDuckDb({ allowedDirs: [store.files.dirOf(project)], timeoutMs, ...opts }, fn);
}

/** Admits the source's file and describes its columns on `conn`. */
export async function openFile(
  conn: DuckDBConnection,
  store: OfflineStore,
  project: string,
  source: SourceDef,
): Promise<OpenFile> {
  const abs = await admitFile(store, project, source);
  const format = source.fileFormat as FileFormat;
  try {
    const reader = await conn.runAndReadAll(describeFileQuery(format, abs));
    const columns = new Map<string, string>();
    for (const row of reader.getRowObjectsJS()) columns.set(String(row.column_name), String(row.column_type));
    return { abs, format, columns };
  } catch (e) {
    throw fileError(e, source);
  }
}

/**
 * A DuckDB failure as a domain error whose message holds nothing read from the file (nor the
 * absolute path): the source's name and relative path, and the kind of problem.
 */
export function fileError(e: unknown, source: Pick<SourceDef, "name" | "path" | "fileFormat">): Error {
  if (isDomainError(e)) return e;
  const raw = e instanceof Error ? e.message : String(e);
  const kind = /^([A-Za-z ]+?) Error:/.exec(raw)?.[1] ?? "";
  const file = `source "${source.name}": file ${JSON.stringify(source.path ?? "")}`;
  const format = source.fileFormat === "csv" ? "CSV" : "Parquet";
  let err: Error;
  switch (kind) {
    case "Conversion":
      err = new InvalidError(
        `${file} holds a value that cannot be read as the type it is read as (conversion error)`,
      );
      break;
    case "Invalid Input":
    case "IO":
    case "Parser":
    case "Serialization":
      err = new InvalidError(`${file} cannot be read as ${format}`);
      break;
    case "Binder":
    case "Catalog":
      err = new InvalidError(`${file} does not have the columns or types its definition reads`);
      break;
    case "Permission":
      err = new InvalidError(`${file} is outside the project's file area`);
      break;
    case "Out of Memory":
      err = new UnavailableError(`${file}: the file engine ran out of memory reading it`);
      break;
    case "Out of Range":
      err = new InvalidError(`${file} holds a value out of range for the type it is read as`);
      break;
    default:
      err = new UnavailableError(`${file}: the file engine failed (details in the server log)`);
  }
  // For the server log only (it is never shown).
  (err as { cause?: unknown }).cause = e;
  return err;
}

/**
 * Streams the latest row per entity of a file source in [start, end], in batches of batchSize (see
 * fileLatestPerEntityQuery). Unlike a Postgres cursor, whose timeout bounds each step, the scan
 * timeout bounds the whole read here, the consumer's work between batches included: one DuckDB
 * holds the result until the last batch is taken.
 */
export async function* readFileLatestPerEntity(
  store: OfflineStore,
  project: string,
  source: SourceDef,
  view: ViewColumns,
  window: { start: Date; end: Date },
  batchSize: number,
): AsyncGenerator<Record<string, unknown>[]> {
  yield* handOver<Record<string, unknown>[]>(async (emit) => {
    await withProjectDuckDb(store, project, "scan", async (conn) => {
      const file = await openFile(conn, store, project, source);
      const text = file.format === "csv" ? csvTextColumns(source, view, file.columns) : [];
      const q = fileLatestPerEntityQuery(
        source,
        view,
        withTextColumns(file.columns, text),
        fileRelation(file.format, file.abs, text),
        { startUs: BigInt(window.start.getTime()) * 1000n, endUs: BigInt(window.end.getTime()) * 1000n },
      );
      let batch: Record<string, unknown>[] = [];
      // DuckDB's interrupt at the deadline reaches a running statement only, not one waiting for
      // the consumer to ask for more: past the deadline, no more is read.
      const timeoutMs = store.timeouts.scanMs;
      const deadline = Date.now() + timeoutMs;
      const handOn = async (rows: Record<string, unknown>[]) => {
        await emit(rows);
        if (Date.now() >= deadline)
          throw new OfflineTimeoutError(
            `the file engine stopped the query after ${timeoutMs / 1000} s (its time limit)`,
          );
      };
      try {
        const result = await conn.stream(q.text, q.values as bigint[], [BIGINT, BIGINT]);
        for await (const rows of result.yieldRowObjectJs()) {
          for (const row of rows) {
            batch.push(row);
            if (batch.length === batchSize) {
              await handOn(batch);
              batch = [];
            }
          }
        }
      } catch (e) {
        if (e instanceof Stopped) throw e;
        throw fileError(e, source);
      }
      if (batch.length > 0) await emit(batch);
    });
  });
}

/** The row of a file scan in the shape source-reader.ts builds SourceRows from (pg's shapes). */
export function fileScanRow(row: Record<string, unknown>, view: ViewColumns): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of view.joinKeys) out[k.name] = pgLike(row[k.name]);
  for (const f of view.fields) out[f.name] = onlineFileValue(row[f.name], f.dtype);
  out[EVENT_TS] = microsToPgDate(row[EVENT_TS]);
  out[CREATED_TS] = microsToPgDate(row[CREATED_TS]);
  return out;
}

/** The newest event time in the file (null when empty) and its row count. */
export async function probeFile(
  store: OfflineStore,
  project: string,
  source: SourceDef,
): Promise<{ newest: Date | null; rows: number }> {
  return withProjectDuckDb(store, project, "probe", async (conn) => {
    const file = await openFile(conn, store, project, source);
    try {
      const reader = await conn.runAndReadAll(
        fileNewestEventTsQuery(source, file.columns, fileRelation(file.format, file.abs)),
      );
      const [row] = reader.getRowObjectsJS();
      const newest = microsToPgDate(row?.newest);
      return { newest, rows: Number(row?.rows ?? 0) };
    } catch (e) {
      throw fileError(e, source);
    }
  });
}

/** The file's columns (name -> DuckDB type), as sniffed, under the probe timeout. */
export async function describeFileSource(
  store: OfflineStore,
  project: string,
  source: SourceDef,
): Promise<FileColumns> {
  return withProjectDuckDb(store, project, "probe", async (conn) => {
    return (await openFile(conn, store, project, source)).columns;
  });
}

// ---------------------------------------------------------------------------------------------
// Values: DuckDB's JS values in the shapes pg gives, then the Postgres scans' own conversion.

/** bigint as text (pg's int8 and numeric), blobs as Buffers (pg's bytea), lists element-wise. */
export function pgLike(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(pgLike);
  return value;
}

function micros(value: unknown): bigint | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  throw new Error(`expected epoch microseconds, got ${typeof value}`);
}

/** [floor(us / 1000) as ms, the rest 0..999]. */
function split(us: bigint): [bigint, bigint] {
  let ms = us / 1000n;
  if (us % 1000n < 0n) ms -= 1n;
  return [ms, us - ms * 1000n];
}

/**
 * The Date of these microseconds as pg makes one of a timestamptz: the milliseconds, the rest
 * dropped (floored, also before 1970). Every fraction of a second was checked to agree.
 */
export function microsToPgDate(value: unknown): Date | null {
  const us = micros(value);
  if (us === null) return null;
  return new Date(Number(split(us)[0]));
}

/** 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (always six digits), as the Postgres engine answers times. */
export function microsToIso(value: unknown): string | null {
  const us = micros(value);
  if (us === null) return null;
  const [ms, rest] = split(us);
  const date = new Date(Number(ms));
  if (Number.isNaN(date.getTime())) return null;
  // Years past 9999 come as "+010000-…" from JS; Postgres writes them without sign or padding.
  const iso = date.toISOString().replace(/^\+0*(\d{5,})/, "$1");
  return `${iso.slice(0, -1)}${String(rest).padStart(3, "0")}Z`;
}

/** A feature's value for the online store (as source-reader.ts converts a Postgres row's). */
function onlineFileValue(value: unknown, dtype: ValueType): unknown {
  if (value === null || value === undefined) return null;
  if (dtype === "unix_timestamp") return microsToPgDate(value);
  if (dtype === "list<unix_timestamp>")
    return Array.isArray(value) ? value.map((v) => microsToPgDate(v)) : value;
  return pgLike(value);
}

/** A feature's value in the historical answer: as the Postgres engine gives it (times with microseconds). */
export function historicalFileValue(value: unknown, dtype: ValueType, feature: string): unknown {
  if (value === null || value === undefined) return null;
  if (dtype === "unix_timestamp") return microsToIso(value);
  if (dtype === "list<unix_timestamp>") return Array.isArray(value) ? value.map((v) => microsToIso(v)) : null;
  return toOnlineValue(pgLike(value), dtype, feature);
}

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Epoch microseconds of an instant written in ISO 8601 (no offset: UTC; more than six fraction
 * digits are rounded to the microsecond, as Postgres does).
 */
export function instantMicros(text: string, field: string): bigint {
  const m = INSTANT.exec(text.trim());
  if (!m) throw new InvalidError(`${field}: ${JSON.stringify(text)} is not a time`, field);
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone = "Z"] = m;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), 0);
  if (Number.isNaN(date.getTime()))
    throw new InvalidError(`${field}: ${JSON.stringify(text)} is not a time`, field);
  let fraction = BigInt(frac.slice(0, 6).padEnd(6, "0"));
  if (frac.length > 6 && Number(frac[6]) >= 5) fraction += 1n;
  let offsetMin = 0;
  if (zone !== "Z" && zone !== "z") {
    const digits = zone.slice(1).replace(":", "");
    offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || "0");
    if (zone.startsWith("-")) offsetMin = -offsetMin;
  }
  return BigInt(date.getTime()) * 1000n + fraction - BigInt(offsetMin) * 60_000_000n;
}

// ---------------------------------------------------------------------------------------------
// Handing batches from a callback (the DuckDB session) to an async generator, one at a time.

class Stopped extends Error {}

/**
 * Runs `produce` and yields what it emits: `emit` resolves when the consumer asks for the next item,
 * and rejects (with Stopped) once the consumer has stopped early, so the producer unwinds (and its
 * DuckDB closes) before the generator returns.
 */
async function* handOver<T>(produce: (emit: (item: T) => Promise<void>) => Promise<void>): AsyncGenerator<T> {
  let slot: { item: T } | undefined;
  let done = false;
  let failed: { error: unknown } | undefined;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let resumeProducer: ((go: boolean) => void) | undefined;
  const emit = (item: T) =>
    new Promise<void>((resolve, reject) => {
      if (stopped) return reject(new Stopped());
      slot = { item };
      resumeProducer = (go) => (go ? resolve() : reject(new Stopped()));
      wakeConsumer?.();
    });
  const task = produce(emit).then(
    () => {
      done = true;
      wakeConsumer?.();
    },
    (error: unknown) => {
      done = true;
      if (!(error instanceof Stopped)) failed = { error };
      wakeConsumer?.();
    },
  );
  try {
    for (;;) {
      if (!slot && !done)
        await new Promise<void>((resolve) => {
          wakeConsumer = resolve;
        });
      wakeConsumer = undefined;
      if (slot) {
        const { item } = slot;
        slot = undefined;
        yield item;
        const resume = resumeProducer;
        resumeProducer = undefined;
        resume?.(true);
        continue;
      }
      if (failed) throw failed.error;
      return;
    }
  } finally {
    stopped = true;
    const resume = resumeProducer;
    resumeProducer = undefined;
    resume?.(false);
    await task;
  }
}
