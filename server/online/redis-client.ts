import "server-only";
import { Cluster, Redis } from "ioredis";
import { UnavailableError } from "../core/errors";
import { env } from "../env";

/** A single Redis or a Redis Cluster: the online store and the rate limiter take either. */
export type RedisClient = Redis | Cluster;

/** QUIVER_REDIS_TIMEOUT_MS's default: how long any Redis call may take before it fails. */
export const DEFAULT_REDIS_TIMEOUT_MS = 1000;

export interface RedisConnectOptions {
  /**
   * Connect timeout, per-command timeout and the longest wait for a connection being opened, in
   * ms. Default: QUIVER_REDIS_TIMEOUT_MS (1000).
   */
  timeoutMs?: number;
}

/** Each client's timeout, for the waits made outside ioredis (whenReady, the store's deadline). */
const timeouts = new WeakMap<RedisClient, number>();

function timeoutOption(opts: RedisConnectOptions): number {
  return opts.timeoutMs ?? env().QUIVER_REDIS_TIMEOUT_MS ?? DEFAULT_REDIS_TIMEOUT_MS;
}

/** The timeout a client was made with (connectRedis / connectRedisCluster), else the default. */
export function redisTimeoutOf(client: RedisClient): number {
  return timeouts.get(client) ?? DEFAULT_REDIS_TIMEOUT_MS;
}

/**
 * A client that fails fast when Redis is down instead of queueing commands until it comes back:
 * no offline queue, one retry per command, connect and command timeouts of `timeoutMs`. It keeps
 * reconnecting in the background, so the store recovers by itself once Redis is back.
 *
 * Commands sent in one tick of the event loop go out in one write (ioredis auto-pipelining): under
 * load, the lookups of many concurrent requests share a socket write instead of paying one system
 * call each, which was a fifth of a feature server's CPU at 1 entity (docs/adr/0023).
 */
export function connectRedis(url: string, opts: RedisConnectOptions = {}): Redis {
  const timeoutMs = timeoutOption(opts);
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    enableAutoPipelining: true,
  });
  timeouts.set(redis, timeoutMs);
  // Callers see the failure through their rejected command; an unhandled 'error' event only logs.
  redis.on("error", () => {});
  return redis;
}

/**
 * `host:port,host:port,...` (REDIS_CLUSTER_NODES) as ioredis startup nodes. Throws on an entry
 * that is not host:port.
 */
export function parseClusterNodes(spec: string): { host: string; port: number }[] {
  const nodes = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(s);
      const port = Number(m?.[2]);
      if (!m?.[1] || !(port >= 1 && port <= 65535))
        throw new Error(`Redis Cluster node ${JSON.stringify(s)} is not host:port`);
      return { host: m[1].replace(/^\[|\]$/g, ""), port };
    });
  if (nodes.length === 0) throw new Error("REDIS_CLUSTER_NODES names no node");
  return nodes;
}

/**
 * A Redis Cluster client with the same fail-fast settings on every node connection: no offline
 * queue on the cluster, reads and writes on masters, command and connect timeouts of `timeoutMs`,
 * and a slot-map refresh that gives up after `timeoutMs`. CLUSTERDOWN, failover and TRYAGAIN are
 * retried by ioredis every 100 ms, within the command's timeout.
 */
export function connectRedisCluster(
  nodes: string | { host: string; port: number }[],
  opts: RedisConnectOptions = {},
): Cluster {
  const timeoutMs = timeoutOption(opts);
  const cluster = new Cluster(typeof nodes === "string" ? parseClusterNodes(nodes) : nodes, {
    enableOfflineQueue: false,
    enableReadyCheck: true,
    scaleReads: "master",
    slotsRefreshTimeout: timeoutMs,
    retryDelayOnClusterDown: 100,
    retryDelayOnFailover: 100,
    retryDelayOnTryAgain: 100,
    clusterRetryStrategy: (times) => Math.min(times * 100, 2000),
    enableAutoPipelining: true,
    redisOptions: {
      maxRetriesPerRequest: 1,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
    },
  });
  timeouts.set(cluster, timeoutMs);
  cluster.on("error", () => {});
  cluster.on("node error", () => {});
  return cluster;
}

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/** The master connections: the client itself, or every master the cluster's slot map names. */
export function masters(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes("master") : [client];
}

/** Where the client points, without credentials, for error messages. */
export function redisAddress(client: RedisClient): string {
  if (isCluster(client)) {
    const startup = (client as unknown as { startupNodes?: { host?: string; port?: number }[] }).startupNodes;
    const list = (startup ?? []).map((n) => `${n.host ?? "localhost"}:${n.port ?? 6379}`).join(",");
    return `cluster ${list}`;
  }
  const o = client.options;
  return o.path ? o.path : `${o.host ?? "localhost"}:${o.port ?? 6379}`;
}

export function unreachable(client: RedisClient, cause: unknown): UnavailableError {
  const why = cause instanceof Error ? cause.message : String(cause ?? "not connected");
  const err = new UnavailableError(`Redis online store unreachable at ${redisAddress(client)}: ${why}`);
  err.cause = cause;
  return err;
}

/** The wait for a connection being opened, per client. */
const opening = new WeakMap<RedisClient, Promise<void>>();

/**
 * Resolves once the client can take commands (with the offline queue off, a command sent before
 * that is refused). A connection being opened is waited for, at most the client's timeout; one
 * that is down (between reconnect attempts) or closed fails at once, with the last connection
 * error when known.
 */
export function whenReady(client: RedisClient, lastError: () => Error | undefined): Promise<void> {
  const status = client.status;
  if (status === "ready") return Promise.resolve();
  if (status === "end" || status === "close" || status === "reconnecting" || status === "disconnecting") {
    return Promise.reject(unreachable(client, lastError() ?? `connection is ${status}`));
  }
  // callers arriving while the connection opens share one wait (and one set of listeners)
  let wait = opening.get(client);
  if (!wait) {
    wait = waitForReady(client).finally(() => opening.delete(client));
    opening.set(client, wait);
  }
  return wait;
}

function waitForReady(client: RedisClient): Promise<void> {
  if (client.status === "wait") client.connect().catch(() => {});
  const ms = redisTimeoutOf(client);
  return new Promise<void>((resolve, reject) => {
    const done = (err?: unknown) => {
      clearTimeout(timer);
      client.off("ready", onReady);
      client.off("error", onError);
      client.off("end", onEnd);
      if (err === undefined) resolve();
      else reject(unreachable(client, err));
    };
    const onReady = () => done();
    const onError = (e: Error) => done(e);
    const onEnd = () => done("connection closed");
    const timer = setTimeout(() => done(`no connection after ${ms} ms`), ms);
    client.on("ready", onReady);
    client.on("error", onError);
    client.on("end", onEnd);
  });
}

/** Closes a client: QUIT, or a hard disconnect when that fails. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === "end") return;
  await client.quit().catch(() => client.disconnect());
}
