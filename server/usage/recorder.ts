import "server-only";
import type { UsageSink } from "../core/context";
import type { Logger } from "../core/log";
import { pgCode } from "../core/pg-error";
import { isOneOf, USAGE_CALLER_KINDS, type UsageCallerKind } from "../core/vocabulary";

/**
 * Counts key use and feature view reads in memory and adds them to Postgres in batches, so the
 * serving path pays a map update per call and no I/O (server/usage/README.md).
 *
 * - Per API key: the latest use; a flush moves `api_keys.last_used_at` forward only.
 * - Per (view, UTC day, caller kind, caller id): reads, entity rows and the last read; a flush adds
 *   them to `feature_view_reads` with one upsert, so any number of processes add up.
 * - A flush takes the counts it writes out of memory first: two flushes (or two processes) never
 *   write the same counts. A failed statement puts its counts back for the next flush.
 */
export interface UsageRecorder extends UsageSink {
  /**
   * Writes what was counted since the last flush: one UPDATE for the keys, one upsert for the
   * reads and, when it wrote reads, the hourly prune. Waits for a flush already running. Rejects when a statement
   * failed (logged; its counts are kept for the next flush).
   */
  flush(): Promise<void>;
  /** Stops the timer and flushes what is left (for at most closeTimeoutMs). Later calls record nothing. */
  close(): Promise<void>;
}

/** What the recorder needs of a pg.Pool. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

export interface UsageRecorderOptions {
  /** The registry's pool; every statement is one round trip in autocommit. */
  pool: Queryable;
  log: Logger;
  /** Milliseconds between background flushes (QUIVER_USAGE_FLUSH_MS); 0: only flush() and close() write. */
  flushMs?: number;
  /** The clock, in epoch milliseconds (tests move it across UTC midnight). */
  now?: () => number;
  /** Most (view, day, caller) counters held between flushes; reads that would open another are dropped. */
  maxCounters?: number;
  /** Most keys held between flushes; later keys' uses are dropped until a flush succeeds. */
  maxKeys?: number;
  /** How long close() waits for its last flush (a database that does not answer must not hang shutdown). */
  closeTimeoutMs?: number;
}

export const DEFAULT_FLUSH_MS = 5_000;
/** Days of reads kept, today included; the usage operation looks back at most this far. */
export const USAGE_RETENTION_DAYS = 90;
const DEFAULT_MAX_COUNTERS = 100_000;
const DEFAULT_MAX_KEYS = 100_000;
const PRUNE_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface Counter {
  projectId: string;
  viewId: string;
  day: string;
  kind: UsageCallerKind;
  callerId: string;
  reads: number;
  entityRows: number;
  lastAt: number;
}

/** Moves last_used_at forward only: a key whose stored use is as new or newer is not written. */
const KEYS_SQL = `
  update api_keys as k set last_used_at = u.at
  from unnest($1::uuid[], $2::timestamptz[]) as u(id, at)
  where k.id = u.id and (k.last_used_at is null or k.last_used_at < u.at)`;

/**
 * Adds the counters. Rows of a view deleted meanwhile are skipped by the join (and rows of one
 * deleted later go with it, ON DELETE CASCADE); rows go in the key's order, so two processes
 * upserting the same rows lock them in the same order.
 */
const READS_SQL = `
  insert into feature_view_reads as r
    (project_id, feature_view_id, caller_kind, caller_id, day, reads, entity_rows, last_read_at)
  select fv.project_id, u.view_id, u.kind, u.caller, u.day, u.reads, u.rows, u.at
  from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::date[], $6::bigint[], $7::bigint[],
              $8::timestamptz[]) with ordinality as u(project_id, view_id, kind, caller, day, reads, rows, at, n)
  join feature_views fv on fv.id = u.view_id and fv.project_id = u.project_id
  order by u.n
  on conflict (feature_view_id, day, caller_kind, caller_id) do update set
    reads = r.reads + excluded.reads,
    entity_rows = r.entity_rows + excluded.entity_rows,
    last_read_at = greatest(r.last_read_at, excluded.last_read_at)`;

const PRUNE_SQL = "delete from feature_view_reads where day < $1::date";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether id can be cast to a Postgres uuid (one malformed id must not fail a whole statement). */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/** The UTC day of an instant, "YYYY-MM-DD". */
export function utcDay(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

export function createUsageRecorder(opts: UsageRecorderOptions): UsageRecorder {
  const { pool, log } = opts;
  const now = opts.now ?? Date.now;
  const maxCounters = opts.maxCounters ?? DEFAULT_MAX_COUNTERS;
  const maxKeys = opts.maxKeys ?? DEFAULT_MAX_KEYS;
  const closeTimeoutMs = opts.closeTimeoutMs ?? 5_000;

  let keys = new Map<string, number>();
  let counters = new Map<string, Counter>();
  /** Reads and key uses not counted since the last flush because memory was full. */
  let droppedReads = 0;
  let droppedKeyUses = 0;
  let lastPrune = Number.NEGATIVE_INFINITY;
  let closed = false;
  let tail: Promise<void> = Promise.resolve();

  // The day string of the last instant seen: one division per call, a Date only when the day turns.
  let dayNumber = Number.NaN;
  let dayText = "";
  const dayOf = (ms: number) => {
    const n = Math.floor(ms / DAY_MS);
    if (n !== dayNumber) {
      dayNumber = n;
      dayText = utcDay(ms);
    }
    return dayText;
  };

  const addKey = (into: Map<string, number>, id: string, at: number) => {
    const seen = into.get(id);
    if (seen === undefined) {
      if (into.size >= maxKeys) return false;
      into.set(id, at);
    } else if (at > seen) into.set(id, at);
    return true;
  };

  const addCounter = (c: Counter) => {
    const k = counterKey(c.viewId, c.day, c.kind, c.callerId);
    const mine = counters.get(k);
    if (mine) {
      mine.reads += c.reads;
      mine.entityRows += c.entityRows;
      if (c.lastAt > mine.lastAt) mine.lastAt = c.lastAt;
    } else if (counters.size < maxCounters) counters.set(k, c);
    else droppedReads += c.reads;
  };

  async function writeKeys(batch: Map<string, number>) {
    const valid = [...batch].filter(([id]) => isUuid(id)).sort(([a], [b]) => compare(a, b));
    if (valid.length < batch.size)
      log.error({ dropped: batch.size - valid.length }, "usage: key ids that are no UUID were dropped");
    if (valid.length === 0) return;
    try {
      await pool.query(KEYS_SQL, [
        valid.map(([id]) => id),
        valid.map(([, at]) => new Date(at).toISOString()),
      ]);
    } catch (e) {
      for (const [id, at] of valid) if (!addKey(keys, id, at)) droppedKeyUses += 1;
      log.warn(
        { err: e, keys: valid.length },
        "usage: writing keys' last use failed; kept for the next flush",
      );
      throw e;
    }
  }

  async function writeReads(batch: Map<string, Counter>) {
    const valid = [...batch]
      .sort(([a], [b]) => compare(a, b))
      .map(([, c]) => c)
      .filter(
        (c) =>
          isUuid(c.viewId) &&
          isUuid(c.projectId) &&
          isOneOf(USAGE_CALLER_KINDS, c.kind) &&
          (c.kind !== "api_key" || isUuid(c.callerId)),
      );
    if (valid.length < batch.size)
      log.error(
        { dropped: batch.size - valid.length },
        "usage: reads with a malformed view, project or key id were dropped",
      );
    if (valid.length === 0) return;
    const values = [
      valid.map((c) => c.projectId),
      valid.map((c) => c.viewId),
      valid.map((c) => c.kind),
      valid.map((c) => c.callerId),
      valid.map((c) => c.day),
      valid.map((c) => c.reads),
      valid.map((c) => c.entityRows),
      valid.map((c) => new Date(c.lastAt).toISOString()),
    ];
    try {
      await pool.query(READS_SQL, values);
    } catch (e) {
      if (isPoison(e)) {
        // Data Postgres refuses would be refused again: keeping it would block every later flush.
        const reads = valid.reduce((n, c) => n + c.reads, 0);
        log.error({ err: e, counters: valid.length, reads }, "usage: reads Postgres refused were dropped");
      } else {
        for (const c of valid) addCounter(c);
        log.warn({ err: e, counters: valid.length }, "usage: writing reads failed; kept for the next flush");
      }
      throw e;
    }
  }

  async function prune(at: number) {
    if (at - lastPrune < PRUNE_EVERY_MS) return;
    const oldestKept = utcDay(at - (USAGE_RETENTION_DAYS - 1) * DAY_MS);
    try {
      await pool.query(PRUNE_SQL, [oldestKept]);
      lastPrune = at;
    } catch (e) {
      log.warn({ err: e }, "usage: pruning old reads failed; tried again at the next flush");
    }
  }

  async function flushOnce() {
    const batchKeys = keys;
    const batchCounters = counters;
    keys = new Map();
    counters = new Map();
    if (droppedReads > 0 || droppedKeyUses > 0) {
      log.warn(
        { droppedReads, droppedKeyUses, maxCounters, maxKeys },
        "usage: counts dropped while memory was full (flushes failing, or too many callers between flushes)",
      );
      droppedReads = 0;
      droppedKeyUses = 0;
    }
    const failures: unknown[] = [];
    if (batchKeys.size > 0) await writeKeys(batchKeys).catch((e: unknown) => failures.push(e));
    if (batchCounters.size > 0) {
      await writeReads(batchCounters).catch((e: unknown) => failures.push(e));
      // Only processes that serve reads prune: a CLI command or a worker closing costs no DELETE.
      await prune(now());
    }
    if (failures.length > 0) throw failures[0];
  }

  /** Flushes run one after another, each taking what was counted before it started. */
  let pending = 0;
  function flush(): Promise<void> {
    pending += 1;
    const run = tail.then(flushOnce);
    tail = run
      .catch(() => {})
      .finally(() => {
        pending -= 1;
      });
    return run;
  }

  const timer =
    opts.flushMs !== 0
      ? setInterval(() => {
          // A slow database must not pile flushes up: the next tick takes everything anyway.
          if (pending === 0) flush().catch(() => {});
        }, opts.flushMs ?? DEFAULT_FLUSH_MS)
      : undefined;
  timer?.unref();

  let closing: Promise<void> | undefined;

  return {
    keyUsed(keyId) {
      if (closed) return;
      if (!addKey(keys, keyId, now())) droppedKeyUses += 1;
    },

    viewsRead({ projectId, viewIds, entities, caller }) {
      if (closed) return;
      const at = now();
      const day = dayOf(at);
      const kind = caller.kind;
      const callerId = caller.kind === "other" ? "" : caller.id;
      for (const viewId of viewIds) {
        const k = counterKey(viewId, day, kind, callerId);
        const c = counters.get(k);
        if (c) {
          c.reads += 1;
          c.entityRows += entities;
          if (at > c.lastAt) c.lastAt = at;
        } else if (counters.size < maxCounters) {
          counters.set(k, {
            projectId,
            viewId,
            day,
            kind,
            callerId,
            reads: 1,
            entityRows: entities,
            lastAt: at,
          });
        } else droppedReads += 1;
      }
    },

    flush,

    close() {
      closing ??= (async () => {
        closed = true;
        if (timer) clearInterval(timer);
        let timeout: NodeJS.Timeout | undefined;
        const deadline = new Promise<"timeout">((resolve) => {
          timeout = setTimeout(() => resolve("timeout"), closeTimeoutMs);
        });
        const last = flush().then(
          () => "done" as const,
          () => "failed" as const,
        );
        const outcome = await Promise.race([last, deadline]);
        clearTimeout(timeout);
        if (outcome === "timeout")
          log.warn(
            { closeTimeoutMs },
            "usage: the last flush did not finish in time; its counts may be lost",
          );
        else if (outcome === "failed") {
          const reads = [...counters.values()].reduce((n, c) => n + c.reads, 0);
          log.warn({ keys: keys.size, reads }, "usage: the last flush failed; these counts are lost");
        }
      })();
      return closing;
    },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function counterKey(viewId: string, day: string, kind: string, callerId: string): string {
  return `${viewId}\u0000${day}\u0000${kind}\u0000${callerId}`;
}

/**
 * Errors a retry cannot fix: a data exception (class 22) or a NOT NULL / CHECK violation. A foreign
 * key violation (a view deleted between the join and the insert) is not: the next flush's join
 * skips that view.
 */
function isPoison(e: unknown): boolean {
  const code = pgCode(e);
  return code !== undefined && (code.startsWith("22") || code === "23502" || code === "23514");
}
