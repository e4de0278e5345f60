import "server-only";
import cluster from "node:cluster";
import type { Logger } from "../core/log";
import { runClusterPrimary } from "./cluster";
import { displayUrl, LISTENING_MESSAGE, type ListenOptions, runServingProcess } from "./server";

export { type FeatureServer, featureServerDatabaseUrl, startFeatureServer } from "./server";

/** The default port: Feast's feature server's. */
export const DEFAULT_PORT = 6566;

/**
 * `quiver serve`: one serving process (workers 1), or a cluster primary with `workers` workers
 * sharing the port. A cluster worker (this same command, re-run by the primary) serves and tells
 * the primary when it listens; otherwise the process logs the one line scripts wait on:
 * `listening on http://127.0.0.1:<port>`.
 */
export async function runFeatureServer(
  opts: ListenOptions & { workers: number; log: Logger },
): Promise<void> {
  if (cluster.isPrimary && opts.workers > 1) return runClusterPrimary(opts);
  const { log } = opts;
  await runServingProcess({
    ...opts,
    ready(port) {
      if (cluster.isWorker) {
        log.info({ port }, "feature server worker ready");
        process.send?.({ type: LISTENING_MESSAGE, port });
      } else log.info({ port }, `listening on ${displayUrl(opts.host, port)}`);
    },
  });
}
