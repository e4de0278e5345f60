import "server-only";
import type { OfflineStore } from "../store";
import { duckdbEngine } from "./duckdb-engine";
import { postgresEngine } from "./postgres-engine";
import type { PitView } from "./query";
import type { PitColumns, PitEngine, PitRequest } from "./types";

export type { PitColumns, PitEngine, PitRequest } from "./types";

/**
 * Point-in-time retrieval over any offline engine (docs/adr/0022-point-in-time-retrieval.md). An
 * engine answers for the views whose sources it reads: Postgres for tables and queries in the
 * offline database; DuckDB for files. A request may mix both: each view is joined on its own and
 * the answers meet by row position, so the engines never need to see each other's data.
 */

/** The engine that reads a source of this kind. */
export function engineFor(store: OfflineStore, sourceKind: string): PitEngine {
  if (sourceKind === "file") return duckdbEngine(store);
  return postgresEngine(store);
}

/** The features of these views for these entity rows, each view on the engine of its source. */
export async function pointInTime(
  store: OfflineStore,
  project: string,
  views: readonly PitView[],
  req: PitRequest,
): Promise<PitColumns> {
  const byEngine = new Map<PitEngine["name"], { engine: PitEngine; views: PitView[] }>();
  for (const view of views) {
    const engine = engineFor(store, view.source.kind);
    const group = byEngine.get(engine.name) ?? { engine, views: [] };
    group.views.push(view);
    byEngine.set(engine.name, group);
  }
  const answers = await Promise.all([...byEngine.values()].map((g) => g.engine.run(project, g.views, req)));
  const out: PitColumns = new Map();
  for (const answer of answers) for (const [view, columns] of answer) out.set(view, columns);
  return out;
}

/**
 * Entity rows per slice. Postgres looks each row up in an index, so slice size barely matters to it
 * and 100,000 bounds memory; DuckDB reads each view's file whole on every call, so file-only
 * requests take larger slices (ADR 0022 "Measured": 50k rows per slice ran 7.6x slower than 1M).
 */
export const CHUNK_ROWS = { postgres: 100_000, duckdb: 1_000_000 } as const;

export function chunkRowsFor(views: readonly PitView[]): number {
  return views.length > 0 && views.every((v) => v.source.kind === "file")
    ? CHUNK_ROWS.duckdb
    : CHUNK_ROWS.postgres;
}

/**
 * The same answer in slices of at most `chunkRows` entity rows (by default as suits the engines),
 * in order: a caller writing the rows somewhere (a dataset, a file, a response) holds one slice at
 * a time, never the whole answer.
 */
export async function* pointInTimeChunks(
  store: OfflineStore,
  project: string,
  views: readonly PitView[],
  req: PitRequest,
  chunkRows = chunkRowsFor(views),
): AsyncGenerator<{ offset: number; rows: number; columns: PitColumns }> {
  const total = req.times.length;
  for (let offset = 0; offset < total; offset += chunkRows) {
    const end = Math.min(total, offset + chunkRows);
    const slice: PitRequest = {
      keys: Object.fromEntries(Object.entries(req.keys).map(([k, v]) => [k, v.slice(offset, end)])),
      times: req.times.slice(offset, end),
    };
    yield { offset, rows: end - offset, columns: await pointInTime(store, project, views, slice) };
  }
}
