import "server-only";
import { Redis } from "ioredis";
import { UnavailableError } from "../core/errors";

/** How long a call waits for a connection that is still being opened before it gives up. */
const READY_TIMEOUT_MS = 2000;

/**
 * A client that fails fast when Redis is down instead of queueing commands until it comes back:
 * no offline queue, one retry per command, short connect and command timeouts. It keeps
 * reconnecting in the background, so the store recovers by itself once Redis is back.
 */
export function connectRedis(url: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    commandTimeout: 5000,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  // Callers see the failure through their rejected command; an unhandled 'error' event only logs.
  redis.on("error", () => {});
  return redis;
}

/** Where the client points, without credentials, for error messages. */
export function redisAddress(redis: Redis): string {
  const o = redis.options;
  return o.path ? o.path : `${o.host ?? "localhost"}:${o.port ?? 6379}`;
}

export function unreachable(redis: Redis, cause: unknown): Error {
  const why = cause instanceof Error ? cause.message : String(cause ?? "not connected");
  const err = new UnavailableError(`Redis online store unreachable at ${redisAddress(redis)}: ${why}`);
  err.cause = cause;
  return err;
}

/** The wait for a connection being opened, per client. */
const opening = new WeakMap<Redis, Promise<void>>();

/**
 * Resolves once the client can take commands (with enableOfflineQueue off, a command sent before
 * that is refused). A connection being opened is waited for, briefly; one that is down (between
 * reconnect attempts) or closed fails at once, with the last connection error when known.
 */
export function whenReady(redis: Redis, lastError: () => Error | undefined): Promise<void> {
  const status = redis.status;
  if (status === "ready") return Promise.resolve();
  if (status === "end" || status === "close" || status === "reconnecting") {
    return Promise.reject(unreachable(redis, lastError() ?? `connection is ${status}`));
  }
  // callers arriving while the connection opens share one wait (and one set of listeners)
  let wait = opening.get(redis);
  if (!wait) {
    wait = waitForReady(redis).finally(() => opening.delete(redis));
    opening.set(redis, wait);
  }
  return wait;
}

function waitForReady(redis: Redis): Promise<void> {
  if (redis.status === "wait") redis.connect().catch(() => {});
  return new Promise<void>((resolve, reject) => {
    const done = (err?: unknown) => {
      clearTimeout(timer);
      redis.off("ready", onReady);
      redis.off("error", onError);
      redis.off("end", onEnd);
      if (err === undefined) resolve();
      else reject(unreachable(redis, err));
    };
    const onReady = () => done();
    const onError = (e: Error) => done(e);
    const onEnd = () => done("connection closed");
    const timer = setTimeout(() => done(`no connection after ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    redis.on("ready", onReady);
    redis.on("error", onError);
    redis.on("end", onEnd);
  });
}
