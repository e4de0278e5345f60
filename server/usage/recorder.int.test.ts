import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import { insertUser } from "../../test/fixtures/users";
import { createApiKey } from "../auth/api-keys";
import type { Ctx } from "../core/context";
import { rootLogger } from "../core/log";
import { createPool } from "../db/client";
import { createFeatureView } from "../registry";
import { createUsageRecorder, type UsageRecorderOptions } from "./recorder";

/**
 * The recorder against real Postgres: counts become rows only when flushed, processes add up,
 * last_used_at only moves forward, days split at UTC midnight whatever TZ says, and a flush that
 * cannot reach the database keeps its counts for the next one. Expected counts are written by hand.
 */

let t: TestDb;
let ctx: Ctx;
let projectId: string;
let viewId: string;
let otherViewId: string;
let keyId: string;
let userId: string;
const recorders: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
  viewId = (await createFeatureView({ ctx, input: { project: "proj", spec: driverViewSpec() } })).id;
  otherViewId = (
    await createFeatureView({
      ctx,
      input: { project: "proj", spec: driverViewSpec({ name: "driver_daily" }) },
    })
  ).id;
  const made = await createApiKey({ ctx, input: { project: "proj", name: "ranker", role: "consumer" } });
  keyId = made.apiKey.id;
  projectId = made.apiKey.projectId;
  userId = (await insertUser(ctx, "ada@example.com")).id;
});
afterAll(async () => {
  for (const r of recorders) await r.close();
  await t?.drop();
});
beforeEach(async () => {
  await t.pool.query("delete from feature_view_reads");
  await t.pool.query("update api_keys set last_used_at = null");
});

/** A recorder on the test database whose clock the test sets; no timer unless flushMs is given. */
function recorder(clock: { now: number }, over: Partial<UsageRecorderOptions> = {}) {
  const r = createUsageRecorder({
    pool: t.pool,
    log: rootLogger(),
    flushMs: 0,
    now: () => clock.now,
    ...over,
  });
  recorders.push(r);
  return r;
}

interface Row {
  view: string;
  kind: string;
  caller: string;
  day: string;
  reads: number;
  entity_rows: number;
  last: string;
}

async function rows(): Promise<Row[]> {
  const { rows } = await t.pool.query<Row>(
    `select feature_view_id as view, caller_kind as kind, caller_id as caller, day::text as day,
            reads, entity_rows,
            to_char(last_read_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last
     from feature_view_reads order by feature_view_id = $1 desc, day, caller_kind, caller_id`,
    [viewId],
  );
  return rows;
}

async function lastUsed(): Promise<string | null> {
  const { rows } = await t.pool.query<{ at: string | null }>(
    `select to_char(last_used_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
     from api_keys where id = $1`,
    [keyId],
  );
  return rows[0]?.at ?? null;
}

const byKey = () => ({ kind: "api_key" as const, id: keyId });

describe("usage recorder", () => {
  it("turns N recorded reads into one row per view and caller after one flush, and nothing before", async () => {
    const clock = { now: Date.parse("2026-03-10T12:00:00.000Z") };
    const r = recorder(clock);
    for (let i = 0; i < 7; i++) {
      r.viewsRead({ projectId, viewIds: [viewId], entities: 3, caller: byKey() });
      clock.now += 1000;
    }
    r.viewsRead({
      projectId,
      viewIds: [viewId, otherViewId],
      entities: 10,
      caller: { kind: "user", id: userId },
    });
    r.viewsRead({ projectId, viewIds: [viewId], entities: 1, caller: { kind: "other" } });
    r.keyUsed(keyId);
    expect(await rows()).toEqual([]);
    expect(await lastUsed()).toBeNull();

    await r.flush();
    expect(await rows()).toEqual([
      {
        view: viewId,
        kind: "api_key",
        caller: keyId,
        day: "2026-03-10",
        reads: 7,
        entity_rows: 21,
        last: "2026-03-10T12:00:06.000Z",
      },
      {
        view: viewId,
        kind: "other",
        caller: "",
        day: "2026-03-10",
        reads: 1,
        entity_rows: 1,
        last: "2026-03-10T12:00:07.000Z",
      },
      {
        view: viewId,
        kind: "user",
        caller: userId,
        day: "2026-03-10",
        reads: 1,
        entity_rows: 10,
        last: "2026-03-10T12:00:07.000Z",
      },
      {
        view: otherViewId,
        kind: "user",
        caller: userId,
        day: "2026-03-10",
        reads: 1,
        entity_rows: 10,
        last: "2026-03-10T12:00:07.000Z",
      },
    ]);
    expect(await lastUsed()).toBe("2026-03-10T12:00:07.000Z");

    // Nothing new: a second flush writes nothing and changes nothing.
    await r.flush();
    expect((await rows()).map((x) => x.reads)).toEqual([7, 1, 1, 1]);
  });

  it("adds up two processes' counts and never counts one flush twice, even when flushes overlap", async () => {
    const clock = { now: Date.parse("2026-03-10T08:00:00.000Z") };
    const a = recorder(clock);
    const b = recorder(clock);
    for (let i = 0; i < 3; i++) a.viewsRead({ projectId, viewIds: [viewId], entities: 2, caller: byKey() });
    for (let i = 0; i < 4; i++) b.viewsRead({ projectId, viewIds: [viewId], entities: 5, caller: byKey() });
    // Both processes and a second flush of the first, at once.
    await Promise.all([a.flush(), b.flush(), a.flush()]);
    a.viewsRead({ projectId, viewIds: [viewId], entities: 1, caller: byKey() });
    await Promise.all([a.flush(), a.flush(), b.flush()]);
    expect(await rows()).toMatchObject([{ kind: "api_key", reads: 8, entity_rows: 27 }]);
  });

  it("moves last_used_at forward only, and writing it wakes no registry cache", async () => {
    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on("notification", (n) => heard.push(n.payload ?? ""));
    await listener.query("listen quiver_registry");
    try {
      const late = recorder({ now: Date.parse("2026-03-10T10:00:00.000Z") });
      const early = recorder({ now: Date.parse("2026-03-10T09:00:00.000Z") });
      const later = recorder({ now: Date.parse("2026-03-10T11:30:00.000Z") });
      late.keyUsed(keyId);
      await late.flush();
      expect(await lastUsed()).toBe("2026-03-10T10:00:00.000Z");
      early.keyUsed(keyId);
      await early.flush();
      expect(await lastUsed()).toBe("2026-03-10T10:00:00.000Z");
      later.keyUsed(keyId);
      await later.flush();
      expect(await lastUsed()).toBe("2026-03-10T11:30:00.000Z");

      // Notifications arrive in commit order: if the flushes had notified, theirs come first.
      await t.pool.query("select pg_notify('quiver_registry', 'sentinel')");
      await vi.waitFor(() => expect(heard).toContain("sentinel"), { timeout: 5_000 });
      expect(heard).toEqual(["sentinel"]);
    } finally {
      await listener.end();
    }
  });

  it("splits reads at UTC midnight into two days, whatever the process's time zone", async () => {
    const clock = { now: Date.parse("2026-03-10T23:59:59.500Z") };
    const r = recorder(clock);
    r.viewsRead({ projectId, viewIds: [viewId], entities: 1, caller: byKey() });
    r.viewsRead({ projectId, viewIds: [viewId], entities: 1, caller: byKey() });
    clock.now = Date.parse("2026-03-11T00:00:00.250Z");
    r.viewsRead({ projectId, viewIds: [viewId], entities: 4, caller: byKey() });
    // 2026-03-11 04:30 UTC is still the 10th in New York: the day must follow UTC, not TZ.
    clock.now = Date.parse("2026-03-11T04:30:00.000Z");
    r.viewsRead({ projectId, viewIds: [viewId], entities: 4, caller: byKey() });
    await r.flush();
    expect(await rows()).toMatchObject([
      { day: "2026-03-10", reads: 2, entity_rows: 2, last: "2026-03-10T23:59:59.500Z" },
      { day: "2026-03-11", reads: 2, entity_rows: 8, last: "2026-03-11T04:30:00.000Z" },
    ]);
  });

  it("keeps the counts of a flush that cannot reach Postgres and writes them with the next one", async () => {
    const proxy = await tcpProxy(new URL(t.url));
    const url = new URL(t.url);
    url.host = `127.0.0.1:${proxy.port}`;
    const pool = createPool(url.toString(), 2);
    try {
      const clock = { now: Date.parse("2026-03-10T12:00:00.000Z") };
      const r = recorder(clock, { pool });
      r.viewsRead({ projectId, viewIds: [viewId], entities: 2, caller: byKey() });
      r.keyUsed(keyId);
      await r.flush();
      expect(await rows()).toMatchObject([{ reads: 1, entity_rows: 2 }]);

      await proxy.stop();
      clock.now += 60_000;
      r.viewsRead({ projectId, viewIds: [viewId], entities: 3, caller: byKey() });
      r.keyUsed(keyId);
      await expect(r.flush()).rejects.toThrow();
      clock.now += 60_000;
      r.viewsRead({ projectId, viewIds: [viewId], entities: 4, caller: byKey() });
      await expect(r.flush()).rejects.toThrow();
      expect(await rows()).toMatchObject([{ reads: 1, entity_rows: 2 }]);
      expect(await lastUsed()).toBe("2026-03-10T12:00:00.000Z");

      await proxy.start();
      await r.flush();
      expect(await rows()).toMatchObject([{ reads: 3, entity_rows: 9, last: "2026-03-10T12:02:00.000Z" }]);
      expect(await lastUsed()).toBe("2026-03-10T12:01:00.000Z");
    } finally {
      await pool.end();
      await proxy.stop();
    }
  });

  it("skips a view or key deleted between recording and flushing, and writes the rest", async () => {
    const doomed = await createFeatureView({
      ctx,
      input: { project: "proj", spec: driverViewSpec({ name: "doomed_view" }) },
    });
    const doomedKey = await createApiKey({
      ctx,
      input: { project: "proj", name: "doomed", role: "consumer" },
    });
    const r = recorder({ now: Date.parse("2026-03-10T12:00:00.000Z") });
    r.viewsRead({ projectId, viewIds: [doomed.id, viewId], entities: 1, caller: byKey() });
    r.keyUsed(doomedKey.apiKey.id);
    r.keyUsed(keyId);
    await t.pool.query("delete from feature_views where id = $1", [doomed.id]);
    await t.pool.query("delete from api_keys where id = $1", [doomedKey.apiKey.id]);
    await r.flush();
    expect(await rows()).toMatchObject([{ view: viewId, reads: 1 }]);
    expect(await lastUsed()).toBe("2026-03-10T12:00:00.000Z");
  });

  it("holds at most maxCounters counters between flushes and drops the reads beyond", async () => {
    const r = recorder({ now: Date.parse("2026-03-10T12:00:00.000Z") }, { maxCounters: 2 });
    r.viewsRead({ projectId, viewIds: [viewId], entities: 1, caller: byKey() });
    r.viewsRead({ projectId, viewIds: [viewId], entities: 1, caller: { kind: "user", id: userId } });
    // A third counter does not fit; the first two still count.
    r.viewsRead({ projectId, viewIds: [otherViewId], entities: 1, caller: byKey() });
    r.viewsRead({ projectId, viewIds: [viewId], entities: 1, caller: byKey() });
    await r.flush();
    expect((await rows()).map((x) => [x.view, x.kind, x.reads])).toEqual([
      [viewId, "api_key", 2],
      [viewId, "user", 1],
    ]);
  });

  it("prunes days past the 90 kept when it flushes reads, at most once an hour", async () => {
    const insertDay = (day: string) =>
      t.pool.query(
        `insert into feature_view_reads (project_id, feature_view_id, caller_kind, caller_id, day, reads, entity_rows, last_read_at)
         values ($1, $2, 'other', '', $3, 1, 1, $3::date)`,
        [projectId, viewId, day],
      );
    // Kept: today (2026-03-10) and the 89 days before it, back to 2025-12-11.
    await insertDay("2025-12-10");
    await insertDay("2025-12-11");
    const clock = { now: Date.parse("2026-03-10T12:00:00.000Z") };
    const r = recorder(clock);
    const read = () => r.viewsRead({ projectId, viewIds: [otherViewId], entities: 1, caller: byKey() });
    // A flush with no reads to write does not prune (a process that serves nothing costs nothing).
    r.keyUsed(keyId);
    await r.flush();
    expect((await rows()).map((x) => x.day)).toEqual(["2025-12-10", "2025-12-11"]);
    read();
    await r.flush();
    expect((await rows()).map((x) => x.day)).toEqual(["2025-12-11", "2026-03-10"]);

    // An expired day written after the prune stays until an hour has passed since it.
    clock.now += 30 * 60_000;
    await insertDay("2025-12-09");
    read();
    await r.flush();
    expect((await rows()).map((x) => x.day)).toEqual(["2025-12-09", "2025-12-11", "2026-03-10"]);
    clock.now += 31 * 60_000;
    read();
    await r.flush();
    expect((await rows()).map((x) => x.day)).toEqual(["2025-12-11", "2026-03-10"]);
  });

  it("flushes on its timer, and close() writes what is left and records nothing after", async () => {
    const clock = { now: Date.parse("2026-03-10T12:00:00.000Z") };
    const r = recorder(clock, { flushMs: 20 });
    r.viewsRead({ projectId, viewIds: [viewId], entities: 1, caller: byKey() });
    await vi.waitFor(async () => expect(await rows()).toMatchObject([{ reads: 1 }]), { timeout: 5_000 });

    const quiet = recorder(clock);
    quiet.viewsRead({ projectId, viewIds: [otherViewId], entities: 6, caller: byKey() });
    await quiet.close();
    quiet.viewsRead({ projectId, viewIds: [otherViewId], entities: 6, caller: byKey() });
    await quiet.flush();
    expect((await rows()).map((x) => [x.view, x.reads, x.entity_rows])).toEqual([
      [viewId, 1, 1],
      [otherViewId, 1, 6],
    ]);
  });
});

/** A TCP forwarder to Postgres that a test can stop (the database is unreachable) and start again. */
async function tcpProxy(target: URL) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        for (const sock of [client, upstream]) {
          sockets.add(sock);
          sock.on("close", () => sockets.delete(sock));
          sock.on("error", () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => resolve((s.address() as net.AddressInfo).port));
      server = s;
    });
  const port = await listen(0);
  return {
    port,
    start: () => listen(port).then(() => undefined),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (!server?.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}
