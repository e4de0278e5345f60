import type { DatabaseHandle } from "../../../server/boot/database";
import { BootError } from "../../../server/boot/errors";
import { openDatabase } from "../../../server/boot/launch";
import { createRuntime, type Runtime } from "../../../server/boot/runtime";
import { onShutdown } from "../../../server/boot/shutdown";
import { env } from "../../../server/env";
import { offlineSinkFor } from "../../../server/streams/offline-append";
import { type StreamWorker, startStreamWorker } from "../../../server/streams/worker";
import { parseCommandArgs, parsePositiveInt } from "../args";
import { log } from "../log";

export const STREAM_WORKER_ACTOR = { kind: "system", name: "stream-worker" } as const;

export const STREAM_WORKER_USAGE = `  stream-worker [--claim-idle-ms 30000] [--batch 500]
                                   consume every stream view's Redis Stream (docs/adr/0037):
                                   window tiles in Redis, events appended offline; run more of
                                   them to scale out (one consumer group per view); needs REDIS_URL`;

/**
 * Runs the consumers of every stream view until SIGINT/SIGTERM, like \`quiver worker\`: on a signal
 * each consumer finishes its batch (applied, appended, acknowledged), then the process exits.
 */
export async function streamWorkerCommand(argv: string[]): Promise<undefined> {
  const { values } = parseCommandArgs(argv, {
    strings: ["claim-idle-ms", "batch"],
    positionals: [0, 0],
    names: "",
  });
  const redisUrl = env().REDIS_URL;
  if (!redisUrl)
    throw new BootError("stream-worker needs REDIS_URL (a single Redis: Redis Cluster is not supported yet)");
  let db: DatabaseHandle | undefined;
  let runtime: Runtime | undefined;
  let worker: StreamWorker | undefined;
  const stop = async () => {
    await worker?.stop().catch(() => {});
    await runtime?.close();
    await db?.stop();
    log("stream worker stopped");
  };
  onShutdown(stop, log);
  try {
    db = await openDatabase(log);
    runtime = await createRuntime({
      databaseUrl: db.url,
      redisUrl,
      offlineDatabaseUrl: env().OFFLINE_DATABASE_URL,
      poolMax: 5,
      queue: false,
    });
    const rt = runtime;
    const ctxFor = () => rt.ctxFor(STREAM_WORKER_ACTOR);
    worker = await startStreamWorker({
      ctxFor,
      redisUrl,
      claimIdleMs: parsePositiveInt(values["claim-idle-ms"], "--claim-idle-ms"),
      batchSize: parsePositiveInt(values.batch, "--batch"),
      sinkFor: (view) => offlineSinkFor(ctxFor, view),
    });
    log(`stream worker ready: ${worker.consumers().size} stream view(s) (Ctrl-C to stop)`);
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
  return undefined;
}
