import "server-only";
import type pg from "pg";
import type { ValueType } from "../../registry/schemas";
import { offlineError } from "../errors";
import { admitSource } from "../space";
import type { OfflineStore } from "../store";
import { toOnlineValue } from "../value-conversion";
import { ORD, type PitView, pointInTimeQuery, pointInTimeValues } from "./query";
import type { PitColumns, PitEngine, PitRequest } from "./types";

/**
 * The Postgres engine of point-in-time retrieval: one READ ONLY transaction as the project's
 * reader role (the offline sandbox and the project's space apply, as for materialization), one
 * statement per feature view, each answering in request order.
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
      for (const view of admitted) out.set(view.name, await runView(client, view, req));
    })
    .catch((e: unknown) => {
      throw offlineError(e, "", store.timeouts.scanMs);
    });
  return out;
}

async function runView(
  client: pg.PoolClient,
  view: PitView,
  req: PitRequest,
): Promise<Map<string, unknown[]>> {
  const config: pg.QueryConfig & { queryMode: "extended" } = {
    text: pointInTimeQuery(view),
    values: pointInTimeValues(view, req.keys, req.times),
    // One statement only, even without parameters (source-reader.ts says why).
    queryMode: "extended",
  };
  const { rows } = await client.query(config);
  const columns = new Map<string, unknown[]>(view.fields.map((f) => [f.name, new Array(rows.length)]));
  rows.forEach((row: Record<string, unknown>, i) => {
    if (Number(row[ORD]) !== i + 1) throw new Error(`point-in-time rows out of order at ${i}`);
    for (const f of view.fields) {
      const column = columns.get(f.name);
      if (column) column[i] = historicalValue(row[f.name], f.dtype, f.name);
    }
  });
  return columns;
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
