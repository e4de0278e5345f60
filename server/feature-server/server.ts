import "server-only";
import cluster from "node:cluster";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { BootError } from "../boot/errors";
import { createRuntime, type Runtime } from "../boot/runtime";
import { readRuntimeFile } from "../boot/runtime-file";
import type { Logger } from "../core/log";
import { env } from "../env";
import { type FeatureServerRuntime, featureServerHandler } from "./handler";

/** Connections of each serving process to the registry's Postgres: lookups read the cache. */
export const POOL_MAX = 4;
/** How long a stop waits for answers in progress before it closes their connections. */
export const DRAIN_MS = 10_000;
/**
 * Idle keep-alive connections live this long: longer than the 60 s idle timeout of most load
 * balancers, so the balancer, never the server, closes an idle connection (else a request sent as
 * the server closes it fails).
 */
const KEEP_ALIVE_MS = 65_000;
const REQUEST_MS = 120_000;

export interface ListenOptions {
  port: number;
  /** Interface to bind; every interface (IPv4 and IPv6) unless set. */
  host?: string;
}

export interface FeatureServer {
  /** The port bound (the one asked for, or the one chosen for port 0). */
  port: number;
  /**
   * Stops accepting connections, lets answers in progress finish (at most DRAIN_MS; later ones
   * close their connections), then resolves. The runtime stays open: its owner closes it.
   */
  close(): Promise<void>;
}

/** An HTTP feature server on `runtime`, listening once this resolves. */
export async function startFeatureServer(
  opts: ListenOptions & { runtime: FeatureServerRuntime; log: Logger; metricsToken?: string },
): Promise<FeatureServer> {
  let stopping = false;
  const server = http.createServer(
    featureServerHandler({
      runtime: opts.runtime,
      log: opts.log,
      metricsToken: opts.metricsToken,
      stopping: () => stopping,
    }),
  );
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  // A whole request (an 8 MiB push on a slow link, or the dropped rest of a refused body).
  server.requestTimeout = REQUEST_MS;
  await listen(server, opts);
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        stopping = true;
        // Stops accepting and closes idle keep-alive connections; busy ones close after their answer.
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
      });
      return closing;
    },
  };
}

function listen(server: http.Server, opts: ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) =>
      reject(
        e.code === "EADDRINUSE"
          ? new BootError(`port ${opts.port} is already in use; stop what holds it or pass --port`)
          : e,
      );
    server.once("error", onError);
    server.listen(opts.port, opts.host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

/** The address to print for a server bound to `host`: loopback when it binds every interface. */
export function displayUrl(host: string | undefined, port: number): string {
  const h =
    !host || host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

/**
 * The registry database a feature server reads: DATABASE_URL, else the database of the Quiver
 * process running on this machine (runtime.json). It never starts a database of its own, nor
 * migrates one: the app, the worker or `quiver migrate` do.
 */
export function featureServerDatabaseUrl(): string {
  const { DATABASE_URL } = env();
  if (DATABASE_URL) return DATABASE_URL;
  const running = readRuntimeFile();
  if (running?.alive) return running.databaseUrl;
  throw new BootError(
    "the feature server needs the registry's database: set DATABASE_URL, or start Quiver on this machine first (`quiver start`), whose database it then uses",
  );
}

/**
 * One serving process from the environment: its runtime (a small pool, no job queue), the HTTP
 * server, and a stop on SIGTERM/SIGINT (and, in a cluster worker, on the primary's word or its
 * loss): stop accepting, drain, close the runtime, exit 0. Resolves once it listens; `ready` is
 * told the port (the one line tests and scripts wait on, or the cluster primary's message).
 */
export async function runServingProcess(
  opts: ListenOptions & { log: Logger; ready(port: number): void },
): Promise<void> {
  const { log } = opts;
  let runtime: Runtime | undefined;
  let server: FeatureServer | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (why: string) => {
    stopped ??= (async () => {
      log.info({ reason: why }, "feature server stopping");
      const hard = setTimeout(() => {
        log.error({ limitMs: DRAIN_MS * 2 }, "feature server still stopping: exiting");
        process.exit(1);
      }, DRAIN_MS * 2);
      hard.unref();
      await server?.close();
      await runtime?.close();
      log.info("feature server stopped");
      process.exit(0);
    })();
  };
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => {
      // A second Ctrl-C exits at once; a worker leaves that to its primary (Ctrl-C reaches both).
      if (stopped && !cluster.isWorker) {
        log.warn({ signal }, "signal again: exiting without waiting");
        process.exit(1);
      }
      stop(signal);
    });
  }
  if (cluster.isWorker) {
    process.on("message", (m: { type?: unknown }) => {
      if (m?.type === STOP_MESSAGE) stop("the primary asked");
    });
    // The primary is gone (killed): nobody restarts or stops this worker any more.
    process.on("disconnect", () => stop("the primary is gone"));
  }

  runtime = await createRuntime({
    databaseUrl: featureServerDatabaseUrl(),
    redisUrl: env().REDIS_URL,
    redisClusterNodes: env().REDIS_CLUSTER_NODES,
    offlineDatabaseUrl: env().OFFLINE_DATABASE_URL,
    poolMax: POOL_MAX,
    queue: false,
  }).catch((e: unknown) => {
    throw new BootError(
      `the feature server could not open its runtime: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  });
  try {
    server = await startFeatureServer({
      port: opts.port,
      host: opts.host,
      runtime,
      log,
      metricsToken: env().QUIVER_METRICS_TOKEN,
    });
  } catch (e) {
    await runtime.close().catch(() => {});
    throw e;
  }
  opts.ready(server.port);
}

/** What a cluster primary sends a worker to stop it (a signal could be its second, which exits at once). */
export const STOP_MESSAGE = "quiver:stop";
/** What a worker sends its primary once it listens. */
export const LISTENING_MESSAGE = "quiver:listening";
