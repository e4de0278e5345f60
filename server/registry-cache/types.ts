import "server-only";
import type { Role } from "../auth/roles";
import type { projects } from "../db/schema";
import type { ServingOnDemandView } from "../on-demand/serving-view";
import type { ServingView } from "../serving/serving-view";

type ProjectRow = typeof projects.$inferSelect;

/**
 * What every serving process holds of the registry in memory (docs/adr/0023-serving-at-redis-speed.md):
 * projects, members' roles, the resolved feature views and services, and the API keys as
 * hash -> actor. It is filled on first use and emptied through Postgres LISTEN/NOTIFY on every
 * write to the tables it reads (drizzle/0012), so a lookup does no database work once warm.
 * While the listening connection is down nothing is kept: every call reads the database.
 */
export interface RegistryCache {
  project(name: string): Promise<ProjectRow | undefined>;
  /** A user's role in a project by name; undefined when they are not a member (or it does not exist). */
  membership(userId: string, projectName: string): Promise<{ project: ProjectRow; role: Role } | undefined>;
  /** The views with these names; names that do not exist are absent from the map. */
  views(projectId: string, names: string[]): Promise<Map<string, ServingView>>;
  /** The on-demand views with these names at their current versions; absent names are absent. */
  onDemandViews(projectId: string, names: string[]): Promise<Map<string, ServingOnDemandView>>;
  /** A feature service's projections in order; undefined when it does not exist. */
  serviceProjections(projectId: string, name: string): Promise<ServiceProjection[] | undefined>;
  /** The key with this SHA-256 hash, revoked or expired ones included (the caller decides). */
  apiKey(keyHash: string): Promise<CachedApiKey | undefined>;
  /** Drops everything held: a registry write in this process, whose notification is still on its way. */
  invalidate(reason: string): void;
  state(): RegistryCacheState;
  close(): Promise<void>;
}

export interface ServiceProjection {
  view: string;
  featureNames: string[];
}

export interface CachedApiKey {
  id: string;
  name: string;
  projectId: string;
  role: Role;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface RegistryCacheState {
  /** Whether notifications are being received; when false the cache keeps nothing. */
  listening: boolean;
  /** Milliseconds since the cache was last emptied (its oldest entry is at most this old); null before listening. */
  ageMs: number | null;
  /** Invalidations received since start, by notification or by a write in this process. */
  invalidations: number;
}
