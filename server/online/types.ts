import "server-only";
/**
 * The online store: the latest value of each feature per entity key, with its event time.
 * Implementations: Redis (redis-store.ts) and a Postgres table (postgres-store.ts).
 *
 * Write rule, decided atomically inside the store: a row replaces the stored one only when its
 * event time is >= the stored one's; on equal event times the later write wins, so re-running a
 * materialization or re-pushing a corrected row at the same time is harmless and takes effect.
 */
export interface OnlineRow {
  /** The canonical entity key (see entity-key.ts). */
  entityKey: string;
  /** Feature name -> JSON-serialisable value (null allowed). */
  values: Record<string, unknown>;
  eventTs: Date;
}

export interface WriteResult {
  /** Rows stored. */
  written: number;
  /** Rows refused because a newer value was already stored. */
  skipped: number;
}

export interface ReadRequest {
  featureView: string;
  features: string[];
}

/** One stored row as read back: only the requested features; a feature absent from the row is undefined. */
export interface OnlineRecord {
  values: Record<string, unknown>;
  eventTs: Date;
}

export interface OnlineStore {
  readonly kind: "redis" | "postgres";
  write(project: string, featureView: string, rows: OnlineRow[]): Promise<WriteResult>;
  /**
   * Reads many views for many entity keys in one round trip. The result has one array per
   * request, in request order, each with one entry per entity key (null when not stored).
   */
  read(project: string, requests: ReadRequest[], entityKeys: string[]): Promise<(OnlineRecord | null)[][]>;
  /** Removes everything stored for a view (used when a view is deleted). */
  deleteView(project: string, featureView: string): Promise<void>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
