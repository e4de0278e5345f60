import "server-only";
import type pg from "pg";
import { InvalidError } from "../core/errors";
import { offlineError } from "./errors";
import { quoteIdent } from "./source-query";

/** Bind parameters per INSERT statement (Postgres allows 65535). */
const PARAMS_PER_STATEMENT = 60_000;

export interface RowsToInsert {
  /** The statement_timeout the transaction runs under, for "timed out after N s". */
  timeoutMs: number;
  /** How errors name the target, e.g. "table driver_stats" (the name the user registered). */
  label: string;
  target: { schema: string; table: string };
  columns: string[];
  /** One array per column, each `rows` long. */
  params: unknown[][];
  rows: number;
  /** The input field errors point at, e.g. "df" (a push's data frame). */
  field: string;
}

/**
 * Inserts rows into an offline table inside the caller's offline transaction (the project's
 * writer role), in statements of bounded size. Columns are checked against the table first; data
 * errors Postgres raises (a value its column type refuses, a constraint) are the request's fault
 * and come back as 400s, in words that quote no value (./errors.ts).
 */
export async function insertRows(client: pg.ClientBase, r: RowsToInsert): Promise<number> {
  const table = `${quoteIdent(r.target.schema)}.${quoteIdent(r.target.table)}`;
  const what = `offline write to ${r.label}`;
  const step = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw offlineError(e, what, r.timeoutMs, r.field);
    }
  };
  const existing = await step(async () => {
    const res = await client.query(`select * from ${table} limit 0`);
    return new Set(res.fields.map((f) => f.name));
  });
  for (const c of r.columns)
    if (!existing.has(c))
      throw new InvalidError(`${r.field}.${c}: ${r.label} has no column "${c}"`, `${r.field}.${c}`);

  const perStatement = Math.max(1, Math.floor(PARAMS_PER_STATEMENT / r.columns.length));
  const head = `insert into ${table} (${r.columns.map(quoteIdent).join(", ")}) values `;
  for (let start = 0; start < r.rows; start += perStatement) {
    const end = Math.min(r.rows, start + perStatement);
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (let i = start; i < end; i++) {
      tuples.push(`(${r.params.map((p) => `$${values.push(utc(p[i] ?? null))}`).join(", ")})`);
    }
    await step(() => client.query(head + tuples.join(", "), values));
  }
  return r.rows;
}

/**
 * A Date as an ISO string in UTC: pg would send it in the process's local time with an offset,
 * which a `timestamp` (no time zone) column drops, shifting the stored wall time by TZ.
 */
function utc(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  return Array.isArray(v) ? v.map(utc) : v;
}
