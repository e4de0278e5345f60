import "server-only";
import type pg from "pg";
import type { ValueType } from "../../registry/schemas";
import { offlineError } from "../errors";
import { admitSource } from "../space";
import type { OfflineStore } from "../store";
import { toOnlineValue } from "../value-conversion";
import { type PitView, pointInTimeStatement, pointInTimeValues, VIEWS_PER_STATEMENT } from "./query";
import type { PitColumns, PitEngine, PitRequest } from "./types";

/**
 * The Postgres engine of point-in-time retrieval: one READ ONLY transaction as the project's
 * reader role (the offline sandbox and the project's space apply, as for materialization), one
 * statement for up to VIEWS_PER_STATEMENT views (query.ts), its rows placed by their ordinal.
 */
export function postgresEngine(store: OfflineStore): PitEngine {
  return {
    name: "postgres",
    run: (project, views, req) => postgresPointInTime(store, project, views, req),
  };
}

async function postgresPointInTime(
  store: OfflineStore,
  project: string,
  views: readonly PitView[],
  req: PitRequest,
): Promise<PitColumns> {
  const admitted = await Promise.all(
    views.map(async (v) => ({ ...v, source: await admitSource(store, project, v.source) })),
  );
  const out: PitColumns = new Map();
  await store
    .transaction(project, "scan", async (client) => {
      for (let i = 0; i < admitted.length; i += VIEWS_PER_STATEMENT) {
        const group = admitted.slice(i, i + VIEWS_PER_STATEMENT);
        const answers = await runStatement(client, group, req);
        group.forEach((view, vi) => {
          out.set(view.name, answers[vi] ?? new Map());
        });
      }
    })
    .catch((e: unknown) => {
      throw offlineError(e, "", store.timeouts.scanMs);
    });
  return out;
}

/** Each view's features, one column per field, in request order. */
async function runStatement(
  client: pg.PoolClient,
  views: readonly PitView[],
  req: PitRequest,
): Promise<Map<string, unknown[]>[]> {
  const statement = pointInTimeStatement(views);
  const config: pg.QueryArrayConfig & { queryMode: "extended" } = {
    text: statement.text,
    values: pointInTimeValues(statement, req.keys, req.times),
    rowMode: "array",
    // One statement only, even without parameters (source-reader.ts says why).
    queryMode: "extended",
  };
  const { rows } = await client.query<unknown[]>(config);
  const n = req.times.length;
  if (rows.length !== n) throw new Error(`point-in-time answer has ${rows.length} rows for ${n}`);
  // Where each answer row goes: its ordinal, each exactly once.
  const place = new Int32Array(rows.length);
  const seen = new Uint8Array(n);
  rows.forEach((row, r) => {
    const i = Number(row[0]) - 1;
    if (!(i >= 0 && i < n) || seen[i] === 1)
      throw new Error(`point-in-time answer repeats or skips row ${i}`);
    seen[i] = 1;
    place[r] = i;
  });
  return views.map((view, vi) => {
    const columns = new Map<string, unknown[]>();
    view.fields.forEach((f, j) => {
      const at = statement.columns[vi]?.[j] ?? -1;
      const column = new Array<unknown>(n);
      rows.forEach((row, r) => {
        column[place[r] ?? 0] = historicalValue(row[at], f.dtype, f.name);
      });
      columns.set(f.name, column);
    });
    return columns;
  });
}

/** Values as the online answer gives them, but timestamps with their microseconds (already text). */
function historicalValue(value: unknown, dtype: ValueType, feature: string): unknown {
  if (value === null || value === undefined) return null;
  if (dtype === "unix_timestamp") return typeof value === "string" && value.endsWith("Z") ? value : null;
  if (dtype === "list<unix_timestamp>")
    return Array.isArray(value)
      ? value.map((v) => (typeof v === "string" && v.endsWith("Z") ? v : null))
      : null;
  return toOnlineValue(value, dtype, feature);
}
