import "server-only";
import cluster from "node:cluster";
import { AggregatorRegistry, Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { RegistryCache } from "../registry-cache/types";

/**
 * The process's Prometheus metrics (prom-client): one registry per process, with Node's default
 * metrics (CPU, memory, event loop lag, GC) and Quiver's own, all named `quiver_*`. Other modules
 * record through the small functions of this folder, never through prom-client directly.
 *
 * Label cardinality is bounded: labels that name registry objects (project, view, API key) go
 * through a BoundedSeries, which lets at most MAX_SERIES label sets into each metric and counts
 * the rest under the value "_other"; route, method, status, op and store come from fixed sets.
 */

/** Label sets one metric may hold before new ones are counted under "_other". */
export const MAX_SERIES = 2000;
/** The label value of everything past MAX_SERIES. */
export const OTHER = "_other";

/** Request latencies: 1 ms to 10 s. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Online store calls: 0.2 ms to 2.5 s. */
const STORE_BUCKETS = [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5];

/** Admits at most `max` distinct label sets; past that, callers use OTHER. */
export class BoundedSeries {
  private readonly seen = new Set<string>();
  constructor(private readonly max = MAX_SERIES) {}
  admits(key: string): boolean {
    if (this.seen.has(key)) return true;
    if (this.seen.size >= this.max) return false;
    this.seen.add(key);
    return true;
  }
}

export interface QuiverMetrics {
  registry: Registry;
  httpDuration: Histogram<"route" | "method" | "status">;
  servedEntities: Counter<"project">;
  servedValues: Counter<"project">;
  onlineStoreSeconds: Histogram<"op" | "store">;
  onlineStoreErrors: Counter<"op" | "store">;
  materializedRows: Counter<"project" | "view">;
  viewReads: Counter<"project" | "view">;
  keyReads: Counter<"project" | "key">;
  /** One bound per metric whose labels name registry objects. */
  bounds: Map<string, BoundedSeries>;
  /** The registry cache whose state the collect step reads (watchRegistryCache). */
  cache: { watched?: RegistryCache; counted: number };
}

// On globalThis: Next's dev server re-evaluates modules, and its bundle and the tsx-loaded
// launcher in one process must share one registry.
const KEY = Symbol.for("quiver.metrics");
type Holder = { [KEY]?: QuiverMetrics };

/** The process's metrics, created on first use. */
export function quiverMetrics(): QuiverMetrics {
  const holder = globalThis as Holder;
  holder[KEY] ??= createMetrics();
  return holder[KEY];
}

function createMetrics(): QuiverMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const cache: QuiverMetrics["cache"] = { counted: 0 };
  const m: QuiverMetrics = {
    registry,
    httpDuration: new Histogram({
      name: "quiver_http_request_duration_seconds",
      help: "Time from a request's arrival to its answer, by route, method and status.",
      labelNames: ["route", "method", "status"],
      buckets: HTTP_BUCKETS,
      registers,
    }),
    servedEntities: new Counter({
      name: "quiver_served_entities_total",
      help: "Entity rows answered by online lookups.",
      labelNames: ["project"],
      registers,
    }),
    servedValues: new Counter({
      name: "quiver_served_values_total",
      help: "Feature values answered by online lookups (entity rows x features).",
      labelNames: ["project"],
      registers,
    }),
    onlineStoreSeconds: new Histogram({
      name: "quiver_online_store_seconds",
      help: "Duration of online store calls (one read per lookup, one write per view pushed or batch materialized).",
      labelNames: ["op", "store"],
      buckets: STORE_BUCKETS,
      registers,
    }),
    onlineStoreErrors: new Counter({
      name: "quiver_online_store_errors_total",
      help: "Online store calls that failed (unreachable, timed out, refused).",
      labelNames: ["op", "store"],
      registers,
    }),
    materializedRows: new Counter({
      name: "quiver_materialized_rows_total",
      help: "Rows written into the online store by materialization runs.",
      labelNames: ["project", "view"],
      registers,
    }),
    viewReads: new Counter({
      name: "quiver_feature_view_reads_total",
      help: "Answered online lookups that read the feature view.",
      labelNames: ["project", "view"],
      registers,
    }),
    keyReads: new Counter({
      name: "quiver_api_key_reads_total",
      help: "Answered online lookups made with the API key (by key id).",
      labelNames: ["project", "key"],
      registers,
    }),
    bounds: new Map(),
    cache,
  };
  new Counter({
    name: "quiver_registry_cache_invalidations_total",
    help: "Times the registry cache was emptied (a registry write's notification, or a write in this process).",
    registers,
    collect() {
      const state = cache.watched?.state();
      if (!state) return;
      if (state.invalidations > cache.counted) this.inc(state.invalidations - cache.counted);
      cache.counted = state.invalidations;
    },
  });
  new Gauge({
    name: "quiver_registry_cache_age_seconds",
    help: "Seconds since the registry cache was last emptied; absent before it listens.",
    registers,
    aggregator: "max",
    collect() {
      const age = cache.watched?.state().ageMs;
      this.reset();
      if (age != null) this.set(age / 1000);
    },
  });
  new Gauge({
    name: "quiver_registry_cache_listening",
    help: "1 while the registry cache receives change notifications (0: every lookup reads Postgres).",
    registers,
    aggregator: "min",
    collect() {
      const state = cache.watched?.state();
      this.reset();
      if (state) this.set(state.listening ? 1 : 0);
    },
  });
  if (cluster.isWorker) {
    // Answers the primary's AggregatorRegistry (server/metrics/scrape.ts) with this registry.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([registry]);
  }
  return m;
}

/** Whether `key` (a label set) may have a series of its own in `metric`; false: count it under OTHER. */
export function bounded(m: QuiverMetrics, metric: string, key: string): boolean {
  let bound = m.bounds.get(metric);
  if (!bound) {
    bound = new BoundedSeries();
    m.bounds.set(metric, bound);
  }
  return bound.admits(key);
}
