import type { PitView } from "./query";

/** The shapes every point-in-time engine shares (engine.ts picks one per source kind). */

/** Per view, per feature: one value per entity row, in request order (null: no row). */
export type PitColumns = Map<string, Map<string, unknown[]>>;

export interface PitRequest {
  /** Join key name -> one value per entity row (as the request gave it). */
  keys: Record<string, unknown[]>;
  /** One instant per entity row, ISO 8601 with an offset (microseconds kept). */
  times: readonly string[];
}

export interface PitEngine {
  readonly name: "postgres" | "duckdb";
  /** Each view's requested features for every entity row, in request order. */
  run(project: string, views: readonly PitView[], req: PitRequest): Promise<PitColumns>;
}
