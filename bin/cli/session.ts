import type { DatabaseHandle } from "../../server/boot/database";
import { openDatabase, recordRuntime, WORKER_ACTOR } from "../../server/boot/launch";
import { createRuntime, type Runtime } from "../../server/boot/runtime";
import { removeRuntimeFile } from "../../server/boot/runtime-file";
import { onShutdown } from "../../server/boot/shutdown";
import type { Actor, Ctx } from "../../server/core/context";
import { configureLogging, newRequestId, rootLogger } from "../../server/core/log";
import { env } from "../../server/env";
import { type MaterializationWorker, startMaterializationWorker } from "../../server/materialization";
import { log } from "./log";

export const CLI_ACTOR: Actor = { kind: "local", name: "cli" };

/** What a one-shot command works with: the migrated database and a runtime to call services. */
export interface Session {
  db: DatabaseHandle;
  runtime: Runtime;
  ctx: Ctx;
  /**
   * Makes sure queued jobs get run: when no Quiver app or worker is known to serve this database
   * (runtime.json), starts a worker in this process for as long as the session lasts.
   */
  ensureWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function openSession(): Promise<Session> {
  // Standard output is the command's answer (keys, tables); the structured log goes to stderr.
  configureLogging({ destination: 2 });
  // Which database this is, is status, not the answer: stderr, so `> file.csv` gets data only.
  const db = await openDatabase((line) => console.error(`[quiver] ${line}`));
  let runtime: Runtime | undefined;
  let worker: MaterializationWorker | undefined;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await worker?.stop().catch(() => {});
      await runtime?.close();
      removeRuntimeFile();
      await db.stop();
    })();
    return closing;
  };
  // Ctrl-C while waiting on jobs: stop the in-process worker and the embedded Postgres cleanly.
  onShutdown(close, log);
  try {
    runtime = await createRuntime({
      databaseUrl: db.url,
      redisUrl: env().REDIS_URL,
      redisClusterNodes: env().REDIS_CLUSTER_NODES,
      offlineDatabaseUrl: env().OFFLINE_DATABASE_URL,
      poolMax: 5,
    });
  } catch (e) {
    await close().catch(() => {});
    throw e;
  }
  const rt = runtime;
  // While this process holds the embedded Postgres, an app started meanwhile attaches to it.
  if (db.source === "embedded") recordRuntime(db, { worker: false });
  return {
    db,
    runtime: rt,
    ctx: rt.ctxFor(CLI_ACTOR, rootLogger().child({ requestId: newRequestId() })),
    async ensureWorker() {
      if (worker || db.peer?.worker) return;
      log("no running Quiver app or worker found: running the jobs in this process");
      worker = await startMaterializationWorker({ boss: rt.boss, ctxFor: () => rt.ctxFor(WORKER_ACTOR) });
      if (db.source === "embedded") recordRuntime(db, { worker: true });
    },
    close,
  };
}

/** Opens a session, runs fn, and always closes the session. */
export async function withSession<T>(fn: (s: Session) => Promise<T>): Promise<T> {
  const session = await openSession();
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
