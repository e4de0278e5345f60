import type pg from "pg";
import type { Db } from "../db/client";
import { InvalidError } from "../errors";
import { entityKey } from "../online/entity-key";
import {
  type BuiltQuery,
  CREATED_TS,
  EVENT_TS,
  latestPerEntityQuery,
  newestEventTsQuery,
  probeColumnsQuery,
  type SourceDef,
  sourceColumnOf,
  type ViewColumns,
} from "./source-query";
import { toJoinKeyValue, toOnlineValue } from "./value-conversion";

/**
 * Runs offline scans against Postgres. Every scan gets its own pooled connection and a READ ONLY
 * transaction in UTC: a query source can never write, `timestamp` columns are read as UTC, and the
 * extended protocol refuses a query source that smuggles in a second statement.
 */

export const DEFAULT_BATCH_SIZE = 5000;

/** One entity's latest row in a window, ready for the online store. */
export interface SourceRow {
  entityKey: string;
  joinKeys: Record<string, string | number>;
  /** Feature name -> online value (see value-conversion.ts). */
  values: Record<string, unknown>;
  eventTs: Date;
  createdTs: Date | null;
}

/** The pool behind a registry handle: scans need connections of their own, outside any transaction. */
export function offlinePool(db: Db): pg.Pool {
  const client: unknown = (db as { $client?: unknown }).$client;
  if (isPool(client)) return client;
  throw new Error("offline scans need the root database handle, not a transaction");
}

function isPool(x: unknown): x is pg.Pool {
  return typeof x === "object" && x !== null && "connect" in x && "totalCount" in x;
}

async function beginScan(client: pg.PoolClient): Promise<void> {
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  await client.query("SET LOCAL TIME ZONE 'UTC'");
}

async function inReadOnlyUtc<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await beginScan(client);
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (e) {
    await client.query("ROLLBACK").catch((err: Error) => {
      broken = err;
    });
    throw e;
  } finally {
    // A connection that could not roll back is not safe to reuse.
    client.release(broken);
  }
}

/**
 * pg's `queryMode: "extended"` (missing from @types/pg) forces the extended protocol even without
 * parameters, and that protocol accepts exactly one statement.
 */
function run(client: pg.PoolClient, q: BuiltQuery): Promise<pg.QueryResult> {
  const config: pg.QueryConfig & { queryMode: "extended" } = {
    text: q.text,
    values: q.values,
    queryMode: "extended",
  };
  return client.query(config);
}

/**
 * Streams, in batches, the latest row per entity key in [start, end] (inclusive; see
 * latestPerEntityQuery). The server-side cursor keeps memory flat whatever the source size.
 * Stop early with `break` (or `return()`): the transaction is rolled back and the connection freed.
 */
export async function* readLatestPerEntity(
  pool: pg.Pool,
  source: SourceDef,
  view: ViewColumns,
  window: { start: Date; end: Date },
  opts: { batchSize?: number } = {},
): AsyncGenerator<SourceRow[]> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error("batchSize must be a positive integer");
  const q = latestPerEntityQuery(source, view, window);
  const client = await pool.connect();
  let done = false;
  let broken: Error | undefined;
  try {
    await beginScan(client);
    await run(client, { text: `DECLARE quiver_scan NO SCROLL CURSOR FOR ${q.text}`, values: q.values });
    for (;;) {
      const { rows } = await client.query(`FETCH FORWARD ${batchSize} FROM quiver_scan`);
      if (rows.length > 0) yield rows.map((r: Record<string, unknown>) => toSourceRow(r, view));
      if (rows.length < batchSize) break;
    }
    await client.query("COMMIT");
    done = true;
  } finally {
    if (!done)
      await client.query("ROLLBACK").catch((err: Error) => {
        broken = err;
      });
    client.release(broken);
  }
}

function toSourceRow(r: Record<string, unknown>, view: ViewColumns): SourceRow {
  const joinKeys: Record<string, string | number> = {};
  for (const k of view.joinKeys) joinKeys[k.name] = toJoinKeyValue(r[k.name], k.valueType, k.name);
  const values: Record<string, unknown> = {};
  for (const f of view.fields) values[f.name] = toOnlineValue(r[f.name], f.dtype, f.name);
  const eventTs = r[EVENT_TS];
  const createdTs = r[CREATED_TS];
  if (!(eventTs instanceof Date) || Number.isNaN(eventTs.getTime()))
    throw new InvalidError(`a source row for ${JSON.stringify(joinKeys)} has no valid event timestamp`);
  return {
    entityKey: entityKey(joinKeys),
    joinKeys,
    values,
    eventTs,
    createdTs: createdTs instanceof Date ? createdTs : null,
  };
}

/** The greatest event timestamp in the source, or null when it holds no rows. */
export async function newestEventTs(pool: pg.Pool, source: SourceDef): Promise<Date | null> {
  return inReadOnlyUtc(pool, async (client) => {
    const { rows } = await run(client, newestEventTsQuery(source));
    const newest: unknown = rows[0]?.newest;
    return newest instanceof Date ? newest : null;
  });
}

// pg type oids of the column types an event or created timestamp may have.
const TIME_TYPES = new Map([
  [1082, "date"],
  [1114, "timestamp"],
  [1184, "timestamptz"],
]);

/**
 * Checks that a source can feed a view: the relation (or query) runs, and it has the timestamp
 * column (of a time type), the created timestamp column if any, and a column for every join key
 * and field (after fieldMapping). Returns the first problem as an InvalidError naming the column,
 * or null when the source is usable.
 */
export async function checkSource(
  pool: pg.Pool,
  source: SourceDef,
  needs: { joinKeys: string[]; fields: string[] },
): Promise<InvalidError | null> {
  let columns: Map<string, number>;
  try {
    columns = await inReadOnlyUtc(pool, async (client) => {
      const res = await run(client, probeColumnsQuery(source));
      return new Map(res.fields.map((f) => [f.name, f.dataTypeID]));
    });
  } catch (e) {
    const what = source.kind === "table" ? `table ${source.tableName}` : "query";
    return new InvalidError(`source "${source.name}": its ${what} cannot be read: ${pgMessage(e)}`, "source");
  }
  const timeColumn = (field: string, column: string): InvalidError | null => {
    const type = columns.get(column);
    if (type === undefined)
      return new InvalidError(`source "${source.name}" has no ${field} column "${column}"`, "source");
    if (!TIME_TYPES.has(type))
      return new InvalidError(
        `source "${source.name}": ${field} column "${column}" must be a date, timestamp or timestamptz`,
        "source",
      );
    return null;
  };
  const tsProblem = timeColumn("timestamp", source.timestampField);
  if (tsProblem) return tsProblem;
  if (source.createdTimestampField) {
    const createdProblem = timeColumn("created timestamp", source.createdTimestampField);
    if (createdProblem) return createdProblem;
  }
  for (const [kind, names] of [
    ["join key", needs.joinKeys],
    ["field", needs.fields],
  ] as const) {
    for (const name of names) {
      const column = sourceColumnOf(source, name);
      if (!columns.has(column)) {
        const mapped = column === name ? "" : " (per its field mapping)";
        return new InvalidError(
          `source "${source.name}" has no column "${column}" for ${kind} "${name}"${mapped}`,
        );
      }
    }
  }
  return null;
}

function pgMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
