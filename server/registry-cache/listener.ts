import "server-only";
import type pg from "pg";
import type { Logger } from "../core/log";

/** The channel drizzle/0012's triggers notify, with the written table's name as payload. */
export const REGISTRY_CHANNEL = "quiver_registry";

/** Waits between reconnection attempts: short at first, then at most this. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

export interface RegistryListener {
  close(): Promise<void>;
}

export interface ListenOptions {
  connect: () => Promise<pg.Client>;
  log: Logger;
  /** A committed write to `table`. */
  onChange(table: string): void;
  /** true once LISTEN is in place; false when the connection is lost (reconnection follows). */
  onListening(up: boolean): void;
}

/**
 * Keeps one connection LISTENing on the registry channel, reconnecting with a growing wait when it
 * is lost. Notifications sent while no connection listens are lost with it, which is why the cache
 * starts empty on every (re)connection.
 */
export function listenForRegistryChanges(opts: ListenOptions): RegistryListener {
  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = RETRY_MIN_MS;
  let timer: NodeJS.Timeout | undefined;
  let up = false;

  /** The connection `c` failed (undefined: none could be opened); stale reports are ignored. */
  const lost = (c: pg.Client | undefined, why: unknown) => {
    if (c) {
      if (client !== c) return;
      client = undefined;
      c.removeAllListeners();
      c.on("error", () => {});
      c.end().catch(() => {});
    }
    if (up) {
      up = false;
      opts.onListening(false);
      opts.log.warn(
        { err: why },
        "registry cache: lost its notification connection; reading the database until it is back",
      );
    }
    if (closed) return;
    timer = setTimeout(start, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };

  async function start() {
    timer = undefined;
    let c: pg.Client;
    try {
      c = await opts.connect();
    } catch (e) {
      lost(undefined, e);
      return;
    }
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    c.on("error", (e) => lost(c, e));
    c.on("end", () => lost(c, new Error("connection ended")));
    c.on("notification", (n) => {
      if (n.channel === REGISTRY_CHANNEL) opts.onChange(n.payload ?? "");
    });
    try {
      await c.query(`LISTEN ${REGISTRY_CHANNEL}`);
    } catch (e) {
      lost(c, e);
      return;
    }
    if (client !== c) return;
    retryMs = RETRY_MIN_MS;
    up = true;
    opts.onListening(true);
  }

  void start();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      if (up) {
        up = false;
        opts.onListening(false);
      }
      if (c) {
        c.removeAllListeners();
        c.on("error", () => {});
        await c.end().catch(() => {});
      }
    },
  };
}
