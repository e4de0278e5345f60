import "server-only";
import type { Redis } from "ioredis";
import { InvalidError, UnavailableError } from "../core/errors";
import { env } from "../env";
import { entityKey } from "../online/entity-key";
import { connectRedis, whenReady } from "../online/redis-client";
import type { StreamConsumerSpec } from "./consumer";
import { readWindows, type WindowValues } from "./tiles";

/** Feast's column of one feature (the shape server/serving/get-online-features.ts answers; kept here so streams import nothing of serving). */
export interface FeatureColumn {
  values: unknown[];
  statuses: FieldStatus[];
  event_timestamps: string[];
}
type FieldStatus = "PRESENT" | "NULL_VALUE" | "NOT_FOUND" | "OUTSIDE_MAX_AGE";
const EPOCH = "1970-01-01T00:00:00Z";

function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

let servingRedis: Redis | undefined;
let lastError: Error | undefined;
/**
 * The serving process's connection for stream tiles (REDIS_URL), fail-fast like the online
 * store's: waits (at most its timeout) for a connection being opened, then fails at once.
 */
export async function streamRedis(): Promise<Redis> {
  const url = env().REDIS_URL;
  if (!url)
    throw new UnavailableError(
      "stream view features need REDIS_URL (the stream engine keeps its tiles in Redis)",
    );
  if (!servingRedis) {
    servingRedis = connectRedis(url);
    servingRedis.on("error", (e: Error) => {
      lastError = e;
    });
  }
  if (servingRedis.status !== "ready") await whenReady(servingRedis, () => lastError);
  return servingRedis;
}

/**
 * Stream view features in Feast's columnar shape, computed from the tiles at read time `at` (UTC
 * now when serving): the read get-online-features calls for "streamview:feature" references
 * (docs/adr/0037; the wiring into the retrieval path is the lead's merge step, see the ADR).
 *
 * Statuses: an entity with no stored tile is NOT_FOUND (value null, epoch time); a window with no
 * value is NULL_VALUE for avg/min/max/last, while count and sum are 0 and PRESENT (nothing
 * happened is a value). The event time is the newest event in the feature's window, else the epoch.
 */
export function streamFeatureColumns(
  view: Pick<StreamConsumerSpec, "aggregations">,
  features: readonly string[],
  values: WindowValues,
): FeatureColumn[] {
  return features.map((f) => {
    const agg = view.aggregations.find((a) => a.name === f);
    const col: FeatureColumn = { values: [], statuses: [], event_timestamps: [] };
    for (const row of values) {
      const v = row?.[f];
      let status: FieldStatus;
      if (!row || !v) status = "NOT_FOUND";
      else if (v.value === null) status = "NULL_VALUE";
      else status = "PRESENT";
      col.values.push(v?.value ?? null);
      col.statuses.push(agg ? status : "NOT_FOUND");
      col.event_timestamps.push(v?.eventTsMs == null ? EPOCH : isoSeconds(v.eventTsMs));
    }
    return col;
  });
}

/**
 * Reads `features` of a stream view for Feast-style entity rows (join key → one value per row), in
 * one Redis round trip. An unknown feature or a missing join key is the request's fault (4xx naming
 * the field).
 */
export async function readStreamFeatures(
  redis: Redis,
  prefix: string,
  view: StreamConsumerSpec,
  features: readonly string[],
  entities: Record<string, readonly unknown[]>,
  at: Date,
): Promise<FeatureColumn[]> {
  features.forEach((f, i) => {
    if (!view.aggregations.some((a) => a.name === f))
      throw new InvalidError(
        `features.${i}: stream view "${view.view}" has no feature "${f}"`,
        `features.${i}`,
      );
  });
  const rows = Math.max(0, ...Object.values(entities).map((v) => v.length));
  const keys: string[] = [];
  for (let r = 0; r < rows; r++) {
    const kv: Record<string, string> = {};
    for (const k of view.joinKeys) {
      const v = entities[k]?.[r];
      if (v === undefined || v === null || typeof v === "object")
        throw new InvalidError(
          `entities.${k}: stream view "${view.view}" needs ${k} for every row`,
          `entities.${k}`,
        );
      kv[k] = String(v);
    }
    keys.push(entityKey(kv));
  }
  const values = await readWindows(redis, prefix, view, keys, at.getTime());
  return streamFeatureColumns(view, features, values);
}
