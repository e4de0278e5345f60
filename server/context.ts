import type { Db } from "./db/client";
import type { OnlineStore } from "./online/types";

/** Who is acting. The security issue adds roles; services already receive the actor. */
export type Actor =
  | { kind: "user"; id: string; name: string }
  | { kind: "api_key"; id: string; name: string }
  | { kind: "system"; name: string }
  | { kind: "local"; name: string };

export interface JobQueue {
  /** Enqueues the run's job under the run's id, so a double enqueue collapses. */
  enqueueMaterialization(runId: string): Promise<void>;
}

/** What every service receives: the actor, the database (or an open transaction) and the stores. */
export interface Ctx {
  actor: Actor;
  db: Db;
  online: OnlineStore;
  jobs: JobQueue;
}

export function actorLabel(actor: Actor): string {
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
