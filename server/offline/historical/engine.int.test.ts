import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../../test/db";
import { PROJECT, seedServing } from "../../../test/helpers/serving";
import { ensureProject } from "../../registry";
import type { SourceDef } from "../source-query";
import { pointInTime } from "./engine";
import type { PitView } from "./query";

/**
 * The historical SQL path as an attacker sees it: who it runs as, what it can reach, how long it
 * may run and what its errors say. The semantics are pinned by point-in-time.property.int.test.ts.
 */
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  const ctx = testCtx(t);
  await seedServing(ctx, t);
  await ensureProject({ ctx, input: { name: "other" } });
  await t.offlineSql(
    "other",
    "create table secrets (driver_id bigint, pw text, event_timestamp timestamptz)",
  );
});
afterAll(() => t.drop());

const base: SourceDef = {
  name: "probe_source",
  kind: "query",
  tableName: null,
  query: "",
  timestampField: "event_timestamp",
  createdTimestampField: null,
  fieldMapping: {},
};

function view(source: Partial<SourceDef>, field = "who"): PitView {
  return {
    name: "probe",
    source: { ...base, ...source },
    ttlSeconds: 0,
    joinKeys: [{ name: "driver_id", valueType: "int64" }],
    fields: [{ name: field, dtype: "string" }],
  };
}

/** The error a promise rejects with; a resolved promise fails the test. */
async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error("expected a refusal, got an answer");
    },
    (e: unknown) => e as Error,
  );
}

const one = { keys: { driver_id: [1] }, times: ["2030-01-01T00:00:00Z"] };

describe("the historical engine", () => {
  it("runs as the project's reader role, never as a superuser", async () => {
    const q = "select 1::bigint as driver_id, current_user::text as who, now() as event_timestamp";
    const found = await pointInTime(t.offline, PROJECT, [view({ query: q })], one);
    const who = String(found.get("probe")?.get("who")?.[0]);
    expect(who).toMatch(/_r$/);
    const { rows } = await t.offlineAdmin.query("select rolsuper from pg_roles where rolname = $1", [who]);
    expect(rows).toEqual([{ rolsuper: false }]);
  });

  it("reaches only the project's offline space: another project's table is refused before any SQL", async () => {
    await expect(
      pointInTime(
        t.offline,
        PROJECT,
        [view({ kind: "table", query: null, tableName: "other.secrets" }, "pw")],
        one,
      ),
    ).rejects.toThrow(/offline space/);
    const q = "select driver_id, pw, event_timestamp from other.secrets";
    const e = await failure(pointInTime(t.offline, PROJECT, [view({ query: q }, "pw")], one));
    // The sandbox lets the query through (another schema is a name); Postgres refuses the reader.
    expect(e.message).toBe("permission denied (SQLSTATE 42501)");
  });

  it("stops at the scan timeout and says so", async () => {
    const quick = t.openOffline({ timeouts: { probeMs: 200, scanMs: 200, writeMs: 200, lockMs: 200 } });
    const slow =
      "select s.driver_id, 'x'::text as who, s.event_timestamp from proj.driver_stats s cross join generate_series(1, 100000000) g";
    await t.offlineSql(PROJECT, "insert into driver_stats (driver_id, event_timestamp) values (1, now())");
    await expect(pointInTime(quick, PROJECT, [view({ query: slow })], one)).rejects.toThrow(
      /timed out after 0\.2 s/,
    );
  });

  it("errors name the SQLSTATE, never a value read", async () => {
    const q =
      "select 1::bigint as driver_id, ('secret-' || current_user)::int::text as who, now() as event_timestamp";
    const e = await failure(pointInTime(t.offline, PROJECT, [view({ query: q })], one));
    expect(e.message).toMatch(/SQLSTATE 22P02/);
    expect(e.message).not.toMatch(/secret/);
  });
});
