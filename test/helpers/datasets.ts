import { setTimeout as sleep } from "node:timers/promises";
import type PgBoss from "pg-boss";
import type { Ctx, JobQueue } from "../../server/core/context";
import { getDataset } from "../../server/datasets";
import type { Dataset } from "../../server/datasets/schemas";
import { createBoss, createJobQueue, startMaterializationWorker } from "../../server/materialization/queue";

/**
 * Dataset tests: a real pg-boss with the app's worker (which runs dataset builds beside
 * materialization runs), and waiting on a dataset's own row, never on a fixed sleep.
 */
export interface DatasetQueue {
  boss: PgBoss;
  jobs: JobQueue;
  stop(): Promise<void>;
}

export async function startDatasetQueue(
  url: string,
  ctxFor: () => Ctx,
  opts: { sliceRows?: number; heartbeatTimeoutSeconds?: number } = {},
): Promise<DatasetQueue> {
  const boss = await createBoss(url, { pollingIntervalSeconds: 0.5, max: 2 });
  const worker = await startMaterializationWorker({
    boss,
    ctxFor,
    concurrency: 1,
    datasetSliceRows: opts.sliceRows,
    heartbeatTimeoutSeconds: opts.heartbeatTimeoutSeconds,
  });
  return {
    boss,
    jobs: createJobQueue(boss),
    async stop() {
      await worker.stop();
      await boss.stop({ graceful: true, close: true, timeout: 10_000, wait: true });
    },
  };
}

/** Polls the dataset's row until `until` holds (default: the build ended); fails after `timeoutMs`. */
export async function waitForDataset(
  ctx: Ctx,
  project: string,
  name: string,
  until: (d: Dataset) => boolean = (d) => !["queued", "building"].includes(d.status),
  timeoutMs = 60_000,
): Promise<Dataset> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await getDataset({ ctx, input: { project, name } });
    if (until(d)) return d;
    if (Date.now() > deadline)
      throw new Error(
        `dataset "${name}" still ${d.status} (${d.rowsDone}/${d.rowsTotal ?? "?"} rows) after ${timeoutMs} ms`,
      );
    await sleep(100);
  }
}

export function base64(text: string | Uint8Array): string {
  return Buffer.from(text).toString("base64");
}
