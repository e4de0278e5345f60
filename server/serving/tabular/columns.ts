import "server-only";
import type { ScalarType, ValueType } from "../../core/vocabulary";

/**
 * The one input of the tabular writers (CSV, Arrow IPC stream, Parquet): typed columns and their
 * values in batches, so a writer holds one batch at a time. Values come in the answer's JSON form,
 * the form the historical engine and the online answer produce (server/offline/value-conversion.ts):
 * - int32/int64: numbers, or decimal strings (int64 beyond 2^53 is always a string); bigint too;
 * - float32/float64: numbers (null for NaN/Infinity, which JSON cannot write);
 * - string: strings; bool: booleans;
 * - bytes: base64 strings (or Uint8Array);
 * - unix_timestamp: ISO 8601 strings, kept to the microsecond (no offset means UTC), or Dates;
 * - list<T>: arrays of T or null.
 * null (or undefined) is a null of any type. Join keys have the value types of their entities
 * (int32, int64, string, bytes) and `event_timestamp` is a unix_timestamp column.
 */

/** A column of a table to write: its name in the file and its Quiver value type. */
export interface TabularColumn {
  name: string;
  type: ValueType;
}

/** Some rows of every column: `values[c]` holds column c's values, `rows` of them. */
export interface ColumnBatch {
  rows: number;
  values: readonly (readonly unknown[])[];
}

/** What a writer writes: the columns, then their rows batch by batch, in order. */
export interface Tabular {
  columns: readonly TabularColumn[];
  batches: AsyncIterable<ColumnBatch> | Iterable<ColumnBatch>;
}

/** A value a typed writer cannot write as its column's type (the caller should have refused it). */
export class TabularValueError extends Error {
  constructor(
    readonly column: string,
    readonly row: number,
    readonly type: ValueType,
    readonly value: unknown,
  ) {
    super(`column "${column}" (${type}), row ${row}: ${shown(value)} cannot be written as ${type}`);
    this.name = "TabularValueError";
  }
}

function shown(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * A columnar answer (`values[c][row]`, all columns of equal length) as a Tabular in batches of at
 * most `batchRows` rows; the batches may be read more than once. Zero rows give no batch: the
 * writers still write the header or schema.
 */
export function fromColumns(
  columns: readonly TabularColumn[],
  values: readonly (readonly unknown[])[],
  batchRows = 10_000,
): Tabular {
  if (values.length !== columns.length)
    throw new Error(`${columns.length} columns described but ${values.length} given`);
  const rows = values[0]?.length ?? 0;
  return {
    columns,
    batches: {
      *[Symbol.iterator]() {
        for (let start = 0; start < rows; start += batchRows) {
          const end = Math.min(rows, start + batchRows);
          yield { rows: end - start, values: values.map((v) => v.slice(start, end)) };
        }
      },
    },
  };
}

/** The element type of a list type, or undefined for a scalar type. */
export function elementOf(type: ValueType): ScalarType | undefined {
  return type.startsWith("list<") ? (type.slice(5, -1) as ScalarType) : undefined;
}
