import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import { addProjectWithMember, insertUser } from "../../test/fixtures/users";
import { createApiKey, revokeApiKey } from "../auth/api-keys";
import type { Role } from "../auth/roles";
import type { Actor, Ctx } from "../core/context";
import { rootLogger } from "../core/log";
import { createConsumer, createFeatureService, createFeatureView } from "../registry";
import { createCaller } from "../trpc/root";
import { createUsageRecorder } from "./recorder";

/**
 * featureViews.usage through its tRPC door: the days, counts and readers written by hand from the
 * reads recorded below; key names only for those who may manage keys; outsiders learn nothing.
 */

let t: TestDb;
let ctx: Ctx;
let projectId: string;
let viewId: string;
const keys: Record<string, { id: string; prefix: string }> = {};
const people: Record<string, Extract<Actor, { kind: "user" }>> = {};

// Now, for the operation: the 30 days reported by default run from 2026-02-09 to 2026-03-10.
const NOW = new Date("2026-03-10T15:00:00.000Z");

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
  viewId = (await createFeatureView({ ctx, input: { project: "proj", spec: driverViewSpec() } })).id;
  await createFeatureView({ ctx, input: { project: "proj", spec: driverViewSpec({ name: "unread_view" }) } });
  await createFeatureService({
    ctx,
    input: { project: "proj", name: "driver_activity", features: ["driver_hourly_stats:conv_rate"] },
  });
  await createFeatureService({
    ctx,
    input: { project: "proj", name: "driver_all", features: ["driver_hourly_stats:*"] },
  });
  await createConsumer({
    ctx,
    input: {
      project: "proj",
      name: "eta_model",
      kind: "model",
      featureServices: ["driver_activity", "driver_all"],
    },
  });
  for (const name of ["ranker", "old_batch"]) {
    const made = await createApiKey({ ctx, input: { project: "proj", name, role: "consumer" } });
    keys[name] = { id: made.apiKey.id, prefix: made.apiKey.prefix };
    projectId = made.apiKey.projectId;
  }
  await revokeApiKey({ ctx, input: { project: "proj", id: keys.old_batch?.id ?? "" } });
  for (const role of ["viewer", "owner"] as const) {
    people[role] = await insertUser(ctx, `${role}_ada@example.com`);
    await addProjectWithMember(ctx, "proj", people[role].id, role);
  }
  people.outsider = await insertUser(ctx, "outsider@example.com");
  await addProjectWithMember(ctx, "elsewhere", people.outsider.id, "owner");

  // The reads, at known instants, through the recorder itself.
  const clock = { now: 0 };
  const r = createUsageRecorder({ pool: t.pool, log: rootLogger(), flushMs: 0, now: () => clock.now });
  const read = (at: string, caller: Parameters<typeof r.viewsRead>[0]["caller"], entities: number) => {
    clock.now = Date.parse(at);
    r.viewsRead({ projectId, viewIds: [viewId], entities, caller });
  };
  const ranker = { kind: "api_key" as const, id: keys.ranker?.id ?? "" };
  read("2026-03-10T13:00:00.000Z", ranker, 2);
  read("2026-03-10T14:00:00.000Z", ranker, 2);
  read("2026-03-10T14:00:00.000Z", ranker, 2);
  read("2026-03-09T09:00:00.000Z", { kind: "api_key", id: keys.old_batch?.id ?? "" }, 100);
  read("2026-03-08T10:00:00.000Z", { kind: "user", id: people.viewer?.id ?? "" }, 5);
  read("2026-02-09T00:00:01.000Z", { kind: "other" }, 1);
  // The day before the 30 reported: counted in no total, but still the key's read.
  read("2026-02-08T23:59:59.000Z", { kind: "other" }, 1);
  await r.close();
});
afterAll(() => t?.drop());
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

function as(actor: Actor) {
  return createCaller({ actor, services: async () => ({ ...ctx, actor }) });
}
const keyActor = (role: Role, project = projectId): Actor => ({
  kind: "api_key",
  id: randomUUID(),
  name: `k_${role}`,
  projectId: project,
  role,
});

const zeroDays = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, () => ({ reads: 0, entityRows: 0 }));

describe("featureViews.usage", () => {
  it("answers every day of the range, totals, last read and named keys to an owner", async () => {
    const u = await as(people.owner as Actor).featureViews.usage({
      project: "proj",
      name: "driver_hourly_stats",
    });
    expect(u.from).toBe("2026-02-09");
    expect(u.to).toBe("2026-03-10");
    expect(u.lastReadAt?.toISOString()).toBe("2026-03-10T14:00:00.000Z");
    expect(u.reads).toBe(6);
    expect(u.entityRows).toBe(2 + 2 + 2 + 100 + 5 + 1);
    expect(u.perDay).toHaveLength(30);
    expect(u.perDay[0]?.day).toBe("2026-02-09");
    expect(u.perDay[1]?.day).toBe("2026-02-10");
    expect(u.perDay[19]?.day).toBe("2026-02-28");
    expect(u.perDay[20]?.day).toBe("2026-03-01");
    expect(u.perDay[29]?.day).toBe("2026-03-10");
    expect(u.perDay.map(({ reads, entityRows }) => ({ reads, entityRows }))).toEqual([
      { reads: 1, entityRows: 1 },
      ...zeroDays(1, 26),
      { reads: 1, entityRows: 5 },
      { reads: 1, entityRows: 100 },
      { reads: 3, entityRows: 6 },
    ]);
    expect(u.keysNamed).toBe(true);
    expect(u.callers).toEqual([
      {
        kind: "api_key",
        id: keys.ranker?.id,
        name: "ranker",
        prefix: keys.ranker?.prefix,
        revoked: false,
        reads: 3,
        entityRows: 6,
        lastReadAt: new Date("2026-03-10T14:00:00.000Z"),
      },
      {
        kind: "api_key",
        id: keys.old_batch?.id,
        name: "old_batch",
        prefix: keys.old_batch?.prefix,
        revoked: true,
        reads: 1,
        entityRows: 100,
        lastReadAt: new Date("2026-03-09T09:00:00.000Z"),
      },
      {
        kind: "user",
        name: "viewer_ada",
        reads: 1,
        entityRows: 5,
        lastReadAt: new Date("2026-03-08T10:00:00.000Z"),
      },
      { kind: "other", reads: 1, entityRows: 1, lastReadAt: new Date("2026-02-09T00:00:01.000Z") },
    ]);
    expect(u.declaredConsumers).toEqual([
      { name: "eta_model", kind: "model", owner: "", via: ["driver_activity", "driver_all"] },
    ]);
  });

  it("reports the last days asked for, and a view nobody read as zeros", async () => {
    const owner = as(people.owner as Actor);
    const two = await owner.featureViews.usage({ project: "proj", name: "driver_hourly_stats", days: 2 });
    expect(two.perDay).toEqual([
      { day: "2026-03-09", reads: 1, entityRows: 100 },
      { day: "2026-03-10", reads: 3, entityRows: 6 },
    ]);
    expect(two.callers.map((c) => c.reads)).toEqual([3, 1]);
    const unread = await owner.featureViews.usage({ project: "proj", name: "unread_view", days: 3 });
    expect(unread).toMatchObject({
      lastReadAt: null,
      reads: 0,
      entityRows: 0,
      callers: [],
      declaredConsumers: [],
    });
    expect(unread.perDay).toEqual([
      { day: "2026-03-08", reads: 0, entityRows: 0 },
      { day: "2026-03-09", reads: 0, entityRows: 0 },
      { day: "2026-03-10", reads: 0, entityRows: 0 },
    ]);
  });

  it("tells a viewer, and a key that may not manage keys, how many keys read but never which", async () => {
    for (const actor of [people.viewer as Actor, keyActor("consumer"), keyActor("operator")]) {
      const u = await as(actor).featureViews.usage({ project: "proj", name: "driver_hourly_stats" });
      expect(u.keysNamed).toBe(false);
      expect(u.callers).toEqual([
        {
          kind: "api_keys",
          keys: 2,
          reads: 4,
          entityRows: 106,
          lastReadAt: new Date("2026-03-10T14:00:00.000Z"),
        },
        {
          kind: "user",
          name: "viewer_ada",
          reads: 1,
          entityRows: 5,
          lastReadAt: new Date("2026-03-08T10:00:00.000Z"),
        },
        { kind: "other", reads: 1, entityRows: 1, lastReadAt: new Date("2026-02-09T00:00:01.000Z") },
      ]);
      const text = JSON.stringify(u);
      for (const k of Object.values(keys)) {
        expect(text).not.toContain(k.id);
        expect(text).not.toContain(k.prefix);
      }
      expect(text).not.toContain("ranker");
      expect(text).not.toContain("old_batch");
    }
    // An owner key may manage keys: it sees them by name.
    const owned = await as(keyActor("owner")).featureViews.usage({
      project: "proj",
      name: "driver_hourly_stats",
    });
    expect(owned.callers.map((c) => (c.kind === "api_key" ? c.name : c.kind))).toEqual([
      "ranker",
      "old_batch",
      "user",
      "other",
    ]);
  });

  it("answers a project the caller is not in exactly as a missing one (404), and refuses anonymous", async () => {
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => "allowed",
        (e: unknown) => (e instanceof TRPCError ? `${e.code}: ${e.message}` : String(e)),
      );
    const outsider = as(people.outsider as Actor);
    const hidden = await refusal(
      outsider.featureViews.usage({ project: "proj", name: "driver_hourly_stats" }),
    );
    expect(hidden).toBe('NOT_FOUND: project "proj" not found');
    // A project that does not exist: the same answer, so nothing tells the two apart.
    const missing = await refusal(
      outsider.featureViews.usage({ project: "nope", name: "driver_hourly_stats" }),
    );
    expect(missing.replace('"nope"', '"proj"')).toBe(hidden);
    // Another project's key, even an owner's.
    const otherKey = keyActor("owner", randomUUID());
    expect(
      await refusal(as(otherKey).featureViews.usage({ project: "proj", name: "driver_hourly_stats" })),
    ).toBe(hidden);
    expect(
      await refusal(
        as({ kind: "anonymous" }).featureViews.usage({ project: "proj", name: "driver_hourly_stats" }),
      ),
    ).toMatch(/^UNAUTHORIZED/);
  });

  it("names a missing view, and refuses a range outside 1 to 90 days", async () => {
    const owner = as(people.owner as Actor);
    await expect(owner.featureViews.usage({ project: "proj", name: "no_such_view" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: 'feature view "no_such_view" not found in project "proj"',
    });
    for (const days of [0, 91, 1.5])
      await expect(
        owner.featureViews.usage({ project: "proj", name: "driver_hourly_stats", days }),
      ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const ninety = await owner.featureViews.usage({ project: "proj", name: "driver_hourly_stats", days: 90 });
    expect(ninety.perDay).toHaveLength(90);
    expect(ninety.from).toBe("2025-12-11");
    expect(ninety.reads).toBe(7);
  });
});
