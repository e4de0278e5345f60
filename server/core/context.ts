import "server-only";
import type { Role } from "../auth/roles";
import type { Db } from "../db/client";
import type { OfflineStore } from "../offline/store";
import type { OnlineStore } from "../online/types";
import type { RegistryCache } from "../registry-cache/types";
import type { Logger } from "./log";

/**
 * Who is acting. Services authorize every call against it (server/auth/authorize.ts):
 * - user: a signed-in person; their project roles come from project_members.
 * - api_key: a machine key scoped to one project and role.
 * - system: Quiver itself (the worker, the demo seed); trusted.
 * - local: the CLI on this machine, which holds the database credentials anyway; trusted.
 * - anonymous: nobody signed in; allowed nothing (deny by default).
 */
export type Actor =
  | { kind: "user"; id: string; name: string }
  | { kind: "api_key"; id: string; name: string; projectId: string; role: Role }
  | { kind: "system"; name: string }
  | { kind: "local"; name: string }
  | { kind: "anonymous" };

export interface JobQueue {
  /** Enqueues the run's job under the run's id, so a double enqueue collapses. */
  enqueueMaterialization(runId: string): Promise<void>;
  /** Cancels the run's job if it has not finished; a no-op for a job that is gone or done. */
  cancelMaterialization(runId: string): Promise<void>;
  /** Queues a background probe of the project's sources; collapses while one is already queued. */
  enqueueSourceProbe(projectId: string): Promise<void>;
  /** Enqueues a dataset's build under the dataset's id, so a double enqueue collapses. */
  enqueueDatasetBuild(datasetId: string): Promise<void>;
  /** Cancels a dataset's build job if it has not finished; a build in progress stops on its row. */
  cancelDatasetBuild(datasetId: string): Promise<void>;
  /** Queues a statistics computation (server/statistics): a succeeded run's, or an on-demand one. */
  enqueueStatistics(job: StatisticsJob): Promise<void>;
  /** Enqueues a transformation run's job under the run's id (server/transformations/worker.ts). */
  enqueueTransformationRun(runId: string): Promise<void>;
}

/** What a statistics job computes: a run's window, or a view's population now under a fresh id. */
export type StatisticsJob =
  | { runId: string }
  | { computationId: string; projectId: string; featureViewId: string };

/**
 * What every service receives: the actor, the registry database (or an open transaction) and the
 * stores. The offline store has connections of its own: registry SQL and offline SQL never share one.
 */
export interface Ctx {
  actor: Actor;
  db: Db;
  online: OnlineStore;
  offline: OfflineStore;
  jobs: JobQueue;
  /** The structured log, carrying the request id (`requestId`) or the job (`job`, `runId`). */
  log: Logger;
  /** The registry held in memory (serving processes); absent, every lookup reads the database. */
  registry?: RegistryCache;
  /** Where key use and feature reads are counted, written in batches in the background. */
  usage?: UsageSink;
}

/**
 * Counts what callers use, without a database write per request (server/usage): a key's
 * last use, and per feature view and caller the reads served.
 */
export interface UsageSink {
  keyUsed(keyId: string): void;
  /** One answered lookup: the views it read for `entities` entity rows, by an API key or a user. */
  viewsRead(read: {
    projectId: string;
    viewIds: string[];
    entities: number;
    caller: { kind: "api_key"; id: string } | { kind: "user"; id: string } | { kind: "other" };
    /** Names for labels (metrics): the project's, and the views' in viewIds' order. */
    projectName?: string;
    viewNames?: string[];
  }): void;
}

export function actorLabel(actor: Actor): string {
  if (actor.kind === "anonymous") return "anonymous";
  return actor.kind === "user" || actor.kind === "api_key" ? `${actor.kind}:${actor.name}` : actor.name;
}

/** Runs fn in one transaction, reusing the caller's when ctx.db already is one. */
export async function inTransaction<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  if (isTransaction(ctx.db)) return fn(ctx);
  return ctx.db.transaction((db) => fn({ ...ctx, db }));
}

function isTransaction(db: Db): boolean {
  return "rollback" in db;
}
