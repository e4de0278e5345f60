import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import type pg from "pg";
import { keyWithHash } from "../auth/api-keys";
import { loadMembership, loadProject, type ProjectRow } from "../auth/authorize";
import type { Role } from "../auth/roles";
import type { Logger } from "../core/log";
import type { Db } from "../db/client";
import { featureServices, featureViews } from "../db/schema";
import { loadOnDemandViews } from "../on-demand/load";
import type { ServingOnDemandView } from "../on-demand/serving-view";
import { serviceProjections } from "../registry/feature-services";
import { loadServingViews, type ServingView } from "../serving/views";
import { listenForRegistryChanges, type RegistryListener } from "./listener";
import type { CachedApiKey, RegistryCache, RegistryCacheState, ServiceProjection } from "./types";

/**
 * Each map holds at most this many entries; past it, it is emptied. Names absent from the registry
 * are remembered too (a request naming them is refused without a query), and the bound keeps a
 * caller that sends endless made-up names from growing the process.
 */
const MAX_ENTRIES = 10_000;

/** What each table's notification empties (drizzle/0012 names the tables). */
const EMPTIES: Record<string, readonly Part[]> = {
  projects: ["projects", "members", "views", "services", "onDemand"],
  project_members: ["members"],
  api_keys: ["keys"],
  entities: ["views"],
  data_sources: ["views"],
  feature_views: ["views", "services"],
  feature_view_versions: ["views"],
  feature_services: ["services"],
  feature_service_projections: ["services"],
  on_demand_views: ["onDemand"],
  on_demand_view_versions: ["onDemand"],
  feature_service_on_demand_projections: ["services"],
};
type Part = "projects" | "members" | "views" | "services" | "keys" | "onDemand";
const ALL: readonly Part[] = ["projects", "members", "views", "services", "keys", "onDemand"];

export interface RegistryCacheOptions {
  db: Db;
  /** Opens the connection that LISTENs (a client of its own: a pooled one would be handed back). */
  connect: () => Promise<pg.Client>;
  log: Logger;
}

/**
 * The registry in this process's memory (types.ts). Every entry is loaded by the query the
 * uncached path runs, and stored only if no invalidation arrived while it was loading (a
 * generation number), so a value read before a write never outlives the write's notification.
 */
export function createRegistryCache(opts: RegistryCacheOptions): RegistryCache {
  const { db, log } = opts;
  const parts = {
    projects: new Map<string, ProjectRow | null>(),
    members: new Map<string, { project: ProjectRow; role: Role } | null>(),
    views: new Map<string, ServingView | null>(),
    services: new Map<string, ServiceProjection[] | null>(),
    keys: new Map<string, CachedApiKey | null>(),
    onDemand: new Map<string, ServingOnDemandView | null>(),
  };
  /** Loads in flight, so that a cold start's burst of equal requests runs one query. */
  const loading = new Map<string, Promise<unknown>>();
  let generation = 0;
  let invalidations = 0;
  let emptiedAt: number | null = null;
  let listening = false;

  const empty = (which: readonly Part[]) => {
    generation++;
    for (const p of which) parts[p].clear();
    loading.clear();
    emptiedAt = Date.now();
  };

  const listener: RegistryListener = listenForRegistryChanges({
    connect: opts.connect,
    log,
    onChange(table) {
      invalidations++;
      empty(EMPTIES[table] ?? ALL);
    },
    onListening(up) {
      // Whatever changed while no one listened is unknown: start empty either way.
      listening = up;
      empty(ALL);
      if (!up) emptiedAt = null;
    },
  });

  /** Runs a load once for all callers asking for the same thing at the same time. */
  function share<V>(key: string, load: () => Promise<V>): Promise<V> {
    const inFlight = loading.get(key) as Promise<V> | undefined;
    if (inFlight) return inFlight;
    const promise = load();
    loading.set(key, promise);
    const forget = () => {
      if (loading.get(key) === promise) loading.delete(key);
    };
    promise.then(forget, forget);
    return promise;
  }

  function keep<V>(map: Map<string, V>, key: string, value: V) {
    if (map.size >= MAX_ENTRIES) map.clear();
    map.set(key, value);
  }

  async function cached<V>(part: Part, key: string, load: () => Promise<V>): Promise<V> {
    const map = parts[part] as Map<string, V>;
    if (listening) {
      const hit = map.get(key);
      if (hit !== undefined || map.has(key)) return hit as V;
    }
    const gen = generation;
    const value = await share(`${part}\u0000${key}`, load);
    if (listening && gen === generation) keep(map, key, value);
    return value;
  }

  return {
    project: (name) =>
      cached("projects", name, async () => (await loadProject(db, name)) ?? null).then((r) => r ?? undefined),

    membership: (userId, projectName) =>
      cached(
        "members",
        `${userId}\u0000${projectName}`,
        async () => (await loadMembership(db, userId, projectName)) ?? null,
      ).then((r) => r ?? undefined),

    async views(projectId, names) {
      const out = new Map<string, ServingView>();
      const missing: string[] = [];
      for (const name of new Set(names)) {
        const key = `${projectId}\u0000${name}`;
        const hit = listening ? parts.views.get(key) : undefined;
        if (hit) out.set(name, hit);
        else if (!(listening && parts.views.has(key))) missing.push(name);
      }
      if (missing.length === 0) return out;
      // One query for every name not held; each view is then kept on its own (absent ones as null).
      missing.sort();
      const gen = generation;
      const loaded = await share(`views\u0000${projectId}\u0000${missing.join(",")}`, () =>
        loadServingViews(db, projectId, inArray(featureViews.name, missing)),
      );
      const byName = new Map(loaded.map((v) => [v.name, v]));
      for (const name of missing) {
        const v = byName.get(name);
        if (v) out.set(name, v);
        if (listening && gen === generation) keep(parts.views, `${projectId}\u0000${name}`, v ?? null);
      }
      return out;
    },

    async onDemandViews(projectId, names) {
      const out = new Map<string, ServingOnDemandView>();
      const missing: string[] = [];
      for (const name of new Set(names)) {
        const key = `${projectId}\u0000${name}`;
        const hit = listening ? parts.onDemand.get(key) : undefined;
        if (hit) out.set(name, hit);
        else if (!(listening && parts.onDemand.has(key))) missing.push(name);
      }
      if (missing.length === 0) return out;
      missing.sort();
      const gen = generation;
      const loaded = await share(`onDemand\u0000${projectId}\u0000${missing.join(",")}`, () =>
        loadOnDemandViews(db, projectId, missing),
      );
      for (const name of missing) {
        const v = loaded.get(name);
        if (v) out.set(name, v);
        if (listening && gen === generation) keep(parts.onDemand, `${projectId}\u0000${name}`, v ?? null);
      }
      return out;
    },

    serviceProjections: (projectId, name) =>
      cached("services", `${projectId}\u0000${name}`, async () => {
        const [svc] = await db
          .select({ id: featureServices.id })
          .from(featureServices)
          .where(and(eq(featureServices.projectId, projectId), eq(featureServices.name, name)))
          .limit(1);
        return svc ? serviceProjections(db, svc.id) : null;
      }).then((r) => r ?? undefined),

    apiKey: (keyHash) =>
      cached("keys", keyHash, async () => (await keyWithHash(db, keyHash)) ?? null).then(
        (r) => r ?? undefined,
      ),

    invalidate(reason) {
      invalidations++;
      log.debug({ reason }, "registry cache: emptied by a write in this process");
      empty(ALL);
    },

    state(): RegistryCacheState {
      return { listening, ageMs: emptiedAt === null ? null : Date.now() - emptiedAt, invalidations };
    },

    close: () => listener.close(),
  };
}
