// A materialization worker in a process of its own, as the app runs one (startMaterializationWorker
// on pg-boss), for heartbeat.int.test.ts to SIGKILL in the middle of a run. Its online store waits
// QUIVER_TEST_WRITE_DELAY_MS before each batch, so a small source takes long enough to be killed
// halfway. Prints "ready" once it polls the queue.
//
// Environment: DATABASE_URL (the test's registry database), QUIVER_RUN_HEARTBEAT_TIMEOUT_S, and
// QUIVER_TEST_OFFLINE_URL / _SECRET / _ROLE_PREFIX (the test's offline store settings, so both
// processes read the source as the same roles), QUIVER_TEST_BATCH_SIZE, QUIVER_TEST_WRITE_DELAY_MS.
// With QUIVER_TEST_SCHEDULE_POLL_MS it also runs the schedules' poller, as `quiver worker` does
// (server/schedules/exactly-once.int.test.ts starts two).
import { setTimeout as sleep } from "node:timers/promises";
import type { Ctx } from "../../server/core/context";
import { createLogger } from "../../server/core/log";
import { createDb, createPool } from "../../server/db/client";
import { createBoss, createJobQueue, startMaterializationWorker } from "../../server/materialization/queue";
import { createOfflineStore } from "../../server/offline";
import { createPostgresOnlineStore } from "../../server/online/postgres-store";
import type { OnlineStore } from "../../server/online/types";
import { loadOfflineSpace } from "../../server/registry/offline-space";
import { startScheduler } from "../../server/schedules/scheduler";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`materialization-worker: ${name} is not set`);
  return value;
}

const url = required("DATABASE_URL");
const pool = createPool(url, 4);
const db = createDb(pool);
const offline = createOfflineStore({
  adminUrl: required("QUIVER_TEST_OFFLINE_URL"),
  secret: required("QUIVER_TEST_OFFLINE_SECRET"),
  rolePrefix: required("QUIVER_TEST_OFFLINE_ROLE_PREFIX"),
  connectionsPerProject: 2,
  querySources: true,
  timeouts: { probeMs: 5_000, scanMs: 60_000, writeMs: 30_000, lockMs: 5_000 },
  loadSpace: (project) => loadOfflineSpace(db, project),
});
const delayMs = Number(process.env.QUIVER_TEST_WRITE_DELAY_MS ?? 100);
const store = createPostgresOnlineStore(pool);
const online: OnlineStore = {
  ...store,
  kind: store.kind,
  async write(project, view, rows) {
    await sleep(delayMs);
    return store.write(project, view, rows);
  },
};
const boss = await createBoss(url, { pollingIntervalSeconds: 0.5, max: 2 });
const jobs = createJobQueue(boss);
const ctx: Ctx = {
  actor: { kind: "system", name: "killed-worker" },
  db,
  online,
  offline,
  jobs,
  log: createLogger({ destination: 2 }),
};
await startMaterializationWorker({
  boss,
  ctxFor: () => ctx,
  concurrency: 1,
  batchSize: Number(process.env.QUIVER_TEST_BATCH_SIZE ?? 10),
});
const schedulePollMs = Number(process.env.QUIVER_TEST_SCHEDULE_POLL_MS ?? 0);
if (schedulePollMs > 0) startScheduler({ ctxFor: () => ctx, intervalMs: schedulePollMs, log: ctx.log });
process.stdout.write("ready\n");
