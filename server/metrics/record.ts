import "server-only";
import type { UsageSink } from "../core/context";
import type { RegistryCache } from "../registry-cache/types";
import { bounded, OTHER, quiverMetrics } from "./registry";

/**
 * What the rest of Quiver calls to count things; each call is a few map lookups and additions, no
 * I/O. Labels that name registry objects are bounded (registry.ts).
 */

type Observer = { observe(seconds: number): void };
const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);
// Per (route, method, status): prom-client hashes label objects on every call; this does it once.
const requestSeries = new Map<string, Observer>();
type Incrementer = { inc(by: number): void };
const servedSeries = new Map<string, { entities: Incrementer; values: Incrementer }>();

/**
 * One answered HTTP request, timed from `startedMs` (performance.now() at its arrival).
 * `route` must come from a fixed table (a route's pattern, never a raw path); 499 is a request
 * whose client went away before its answer.
 */
export function observeRequest(route: string, method: string, status: number, startedMs: number): void {
  const m = METHODS.has(method) ? method : "other";
  const key = `${route} ${m} ${status}`;
  let series = requestSeries.get(key);
  if (!series) {
    series = quiverMetrics().httpDuration.labels({ route, method: m, status: String(status) });
    requestSeries.set(key, series);
  }
  series.observe((performance.now() - startedMs) / 1000);
}

/** One answered lookup in `project` (its name): `entities` rows, `values` = rows x features. */
export function recordServed(project: string, entities: number, values: number): void {
  let series = servedSeries.get(project);
  if (!series) {
    const m = quiverMetrics();
    const p = bounded(m, "served", project) ? project : OTHER;
    series = {
      entities: m.servedEntities.labels({ project: p }),
      values: m.servedValues.labels({ project: p }),
    };
    // projects past the bound all count as OTHER: they share one entry rather than adding their own
    if (p !== OTHER) servedSeries.set(project, series);
  }
  series.entities.inc(entities);
  series.values.inc(values);
}

/** `rows` rows of `view` in `project` (names) written to the online store by a materialization run. */
export function recordMaterializedRows(project: string, view: string, rows: number): void {
  if (rows <= 0) return;
  const m = quiverMetrics();
  const admitted = bounded(m, "materialized", `${project}\u0000${view}`);
  m.materializedRows.inc(admitted ? { project, view } : { project: OTHER, view: OTHER }, rows);
}

/**
 * Reports the registry cache's invalidations (quiver_registry_cache_invalidations_total), age and
 * whether it listens, read from its state() at each scrape. One cache per process: a later call
 * with another cache replaces the earlier one (its count starts again), the same cache again
 * changes nothing.
 */
export function watchRegistryCache(cache: RegistryCache): void {
  const m = quiverMetrics();
  if (m.cache.watched === cache) return;
  m.cache.watched = cache;
  m.cache.counted = 0;
}

/** A lookup as the usage sink hears of it, with names when the caller gives them. */
type ViewsRead = Parameters<UsageSink["viewsRead"]>[0] & {
  /** The project's name; without it the label is the project's id. */
  projectName?: string;
  /** The views' names, in viewIds' order; without them the labels are the views' ids. */
  viewNames?: string[];
};

/**
 * A UsageSink (server/core/context.ts) that counts answered lookups per feature view
 * (quiver_feature_view_reads_total {project, view}) and per API key
 * (quiver_api_key_reads_total {project, key}: the key's id, never its secret or prefix). Users'
 * lookups count for views only. Key use without a lookup (a push) is not a read.
 */
export function metricsUsageSink(): UsageSink {
  return {
    keyUsed() {},
    viewsRead(read: ViewsRead) {
      const m = quiverMetrics();
      const project = read.projectName ?? read.projectId;
      read.viewIds.forEach((id, i) => {
        const view = read.viewNames?.[i] ?? id;
        const admitted = bounded(m, "view_reads", `${project}\u0000${view}`);
        m.viewReads.inc(admitted ? { project, view } : { project: OTHER, view: OTHER });
      });
      if (read.caller.kind === "api_key") {
        const key = read.caller.id;
        const admitted = bounded(m, "key_reads", `${project}\u0000${key}`);
        m.keyReads.inc(admitted ? { project, key } : { project: OTHER, key: OTHER });
      }
    },
  };
}

/** `sink` (the usage recorder, server/usage) with the metrics sink beside it: both hear every call. */
export function withMetricsUsage(sink?: UsageSink): UsageSink {
  const metrics = metricsUsageSink();
  if (!sink) return metrics;
  return {
    keyUsed(keyId) {
      sink.keyUsed(keyId);
    },
    viewsRead(read) {
      metrics.viewsRead(read);
      sink.viewsRead(read);
    },
  };
}
