import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import type { Ctx } from "../core/context";
import { sourceProbes } from "../db/schema";
import {
  createBoss,
  createJobQueue,
  type MaterializationWorker,
  startMaterializationWorker,
} from "../materialization";
import { createDataSource, ensureProject } from "../registry";
import { loadProbes, probeProjectSources, probesStale } from "./probe-sources";

/** Background source probes: what the freshness page shows instead of running sources itself. */

let t: TestDb;
let ctx: Ctx;
let projectId: string;

beforeAll(async () => {
  t = await createTestDb();
  // Probes time out after 1 s here, so a source that never answers shows as timed out quickly.
  ctx = testCtx(t, {
    offline: t.openOffline({ timeouts: { probeMs: 1000, scanMs: 5000, writeMs: 5000, lockMs: 1000 } }),
  });
  projectId = (await ensureProject({ ctx, input: { name: "probes" } })).id;
  await t.offlineSql(
    "probes",
    `create table events (id bigint, secret text, ts timestamptz);
     insert into events values (1, 'hunter2', '2026-03-01T10:00:00Z'), (2, 'hunter3', '2026-03-01T11:00:00Z')`,
  );
  const source = (name: string, query: string) =>
    createDataSource({ ctx, input: { project: "probes", name, kind: "query", query, timestampField: "ts" } });
  await createDataSource({
    ctx,
    input: { project: "probes", name: "events", kind: "table", tableName: "events", timestampField: "ts" },
  });
  await source(
    "endless",
    "select g.a as id, now() as ts from generate_series(1, 1000000000) g(a) cross join generate_series(1, 1000000000) h(b)",
  );
  await source("broken", "select id, secret::int as n, ts from probes.events where secret::int > 0");
});
afterAll(() => t?.drop());

async function probeOf(name: string) {
  const probes = await loadProbes(ctx, projectId);
  const { rows } = await t.pool.query<{ id: string }>("select id from data_sources where name = $1", [name]);
  return probes.get(rows[0]?.id ?? "");
}

describe("probeProjectSources", () => {
  it("records each source's newest event and row count, a timeout, or a safe error", async () => {
    expect(await probesStale(ctx, projectId)).toBe(true);
    expect(await probeProjectSources(ctx, projectId)).toBe(3);
    expect(await probeOf("events")).toMatchObject({
      status: "ok",
      newestEventTs: new Date("2026-03-01T11:00:00Z"),
      rowCount: 2,
      error: null,
    });
    expect(await probeOf("endless")).toMatchObject({
      status: "timeout",
      newestEventTs: null,
      error: 'source "endless": timed out after 1 s',
    });
    const broken = await probeOf("broken");
    expect(broken).toMatchObject({ status: "error", newestEventTs: null });
    expect(broken?.error).toMatch(/wrong syntax for its type \(SQLSTATE 22P02\)/);
    expect(broken?.error).not.toMatch(/hunter/);
    expect(await probesStale(ctx, projectId)).toBe(false);
    expect(await probesStale(ctx, projectId, 0)).toBe(true);
  });

  it("a source dropped while it was probed leaves no probe behind", async () => {
    await t.db.delete(sourceProbes);
    const running = probeProjectSources(ctx, projectId);
    await t.pool.query("delete from data_sources where name = 'endless'");
    await running;
    expect(await probeOf("endless")).toBeUndefined();
    expect((await probeOf("events"))?.status).toBe("ok");
  });
});

describe("the probe queue", () => {
  it("runs a project's probes in the worker, one queued job per project however often asked", async () => {
    await t.db.delete(sourceProbes).where(eq(sourceProbes.status, "ok"));
    const boss = await createBoss(t.url, { pollingIntervalSeconds: 0.5, max: 2 });
    let worker: MaterializationWorker | undefined;
    try {
      const jobs = createJobQueue(boss);
      await Promise.all([1, 2, 3].map(() => jobs.enqueueSourceProbe(projectId)));
      const { rows } = await t.pool.query<{ n: number }>(
        "select count(*)::int as n from pgboss.job where name = 'probe-sources' and singleton_key = $1",
        [projectId],
      );
      expect(rows[0]?.n).toBe(1);
      worker = await startMaterializationWorker({
        boss,
        ctxFor: () => ({ ...ctx, actor: { kind: "system", name: "worker" } }),
        concurrency: 1,
      });
      // Done when the worker has written the table source's probe again.
      for (;;) {
        const probe = await probeOf("events");
        if (probe?.status === "ok") break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await worker?.stop();
      await boss.stop({ graceful: true, close: true, timeout: 10_000, wait: true });
    }
  });
});
