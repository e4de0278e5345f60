import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { addProjectWithMember, insertUser } from "../../test/fixtures/users";
import type { Ctx } from "../core/context";
import { auditLog } from "../db/schema";
import { resetEnvCache } from "../env";
import { probeSource } from "../offline";
import {
  addOwnSchema,
  checkOfflineSpaces,
  ensureProject,
  getOfflineSpace,
  grantSharedSchema,
  offlineSetupStatements,
  revokeSharedSchema,
} from "./index";

/** A project's offline space: shared schemas granted by its owner, own schemas set by an administrator. */

let t: TestDb;
let base: Ctx;
let owner: Ctx;
let editor: Ctx;

const probe = (store: TestDb["offline"], project: string, tableName: string) =>
  probeSource(store, project, {
    name: "s",
    kind: "table",
    tableName,
    query: null,
    timestampField: "ts",
    createdTimestampField: null,
    fieldMapping: {},
  });

beforeAll(async () => {
  process.env.QUIVER_SHARED_SCHEMAS = "ref, geo";
  resetEnvCache();
  t = await createTestDb();
  base = testCtx(t);
  const ann = await insertUser(base, "ann@example.com");
  const ed = await insertUser(base, "ed@example.com");
  await addProjectWithMember(base, "rides", ann.id, "owner");
  await addProjectWithMember(base, "rides", ed.id, "editor");
  owner = { ...base, actor: ann };
  editor = { ...base, actor: ed };
  await t.offlineAdmin.query(
    "create schema ref; create table ref.zones (zone text, ts timestamptz); insert into ref.zones values ('a', '2026-01-01T00:00:00Z')",
  );
});
afterAll(async () => {
  delete process.env.QUIVER_SHARED_SCHEMAS;
  resetEnvCache();
  await t?.drop();
});

describe("shared schemas", () => {
  it("by default a project has its own schema and nothing shared", async () => {
    const space = await getOfflineSpace({ ctx: editor, input: { project: "rides" } });
    expect(space).toMatchObject({ own: ["rides"], shared: [], shareable: ["ref", "geo"] });
    expect(space.roles.reader).toMatch(/_rides_r$/);
  });

  it("only the owner grants, only offered schemas, and the grant is audited and takes effect in Postgres", async () => {
    await expect(probe(t.offline, "rides", "ref.zones")).rejects.toThrow(/outside it/);
    await expect(
      grantSharedSchema({ ctx: editor, input: { project: "rides", schema: "ref" } }),
    ).rejects.toThrow(/needs the owner role|owner/);
    await expect(
      grantSharedSchema({ ctx: owner, input: { project: "rides", schema: "billing" } }),
    ).rejects.toThrow(/not one of the shared schemas this deployment offers \(ref, geo\)/);
    const space = await grantSharedSchema({ ctx: owner, input: { project: "rides", schema: "ref" } });
    expect(space.shared).toEqual(["ref"]);
    await expect(
      grantSharedSchema({ ctx: owner, input: { project: "rides", schema: "ref" } }),
    ).rejects.toThrow(/reads schema "ref" already/);
    expect(await probe(t.offline, "rides", "ref.zones")).toEqual({
      newest: new Date("2026-01-01T00:00:00Z"),
      rows: 1,
    });
    // Read only: its writer gets nothing there.
    await expect(
      t.offline.transaction("rides", "write", (c) => c.query("insert into ref.zones values ('b', now())")),
    ).rejects.toMatchObject({ code: "42501" });
    const [entry] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "offline_schema.grant"), eq(auditLog.objectName, "ref")));
    expect(entry).toMatchObject({
      project: "rides",
      actorName: "ann",
      after: { schema: "ref", access: "shared" },
    });
  });

  it("a revoke is audited and takes the grant back in Postgres at once", async () => {
    await revokeSharedSchema({ ctx: owner, input: { project: "rides", schema: "ref" } });
    // Straight on the role, past the registry's rules: Postgres itself refuses now.
    await expect(
      t.offline.transaction("rides", "probe", (c) => c.query("select * from ref.zones")),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(probe(t.offline, "rides", "ref.zones")).rejects.toThrow(/outside it/);
    await expect(
      revokeSharedSchema({ ctx: owner, input: { project: "rides", schema: "ref" } }),
    ).rejects.toThrow(/has no shared schema "ref"/);
    const entries = await t.db.select().from(auditLog).where(eq(auditLog.action, "offline_schema.revoke"));
    expect(entries).toHaveLength(1);
  });
});

describe("own schemas", () => {
  it("are set by an administrator only, never taken from another project, and replace the default", async () => {
    await ensureProject({ ctx: base, input: { name: "trips" } });
    await expect(
      addOwnSchema({ ctx: owner, input: { project: "rides", schema: "rides_wh" } }),
    ).rejects.toThrow(/only Quiver itself and the quiver CLI/);
    await expect(addOwnSchema({ ctx: base, input: { project: "rides", schema: "trips" } })).rejects.toThrow(
      /belongs to project "trips"/,
    );
    await expect(addOwnSchema({ ctx: base, input: { project: "rides", schema: "ref" } })).rejects.toThrow(
      /offered for sharing/,
    );
    const space = await addOwnSchema({ ctx: base, input: { project: "rides", schema: "rides_wh" } });
    expect(space.own).toEqual(["rides_wh"]);
    await t.offlineAdmin.query("create table rides_wh.trips (ts timestamptz)");
    expect(await probe(t.offline, "rides", "trips")).toEqual({ newest: null, rows: 0 });
    // A project may not be named after a schema another project owns, nor after Postgres's own.
    await expect(ensureProject({ ctx: base, input: { name: "rides_wh" } })).rejects.toThrow(
      /belongs to project "rides"/,
    );
    await expect(ensureProject({ ctx: base, input: { name: "public" } })).rejects.toThrow(
      /reserved by Postgres/,
    );
  });
});

describe("administration", () => {
  it("prints the DBA's statements for administrators only", async () => {
    await expect(offlineSetupStatements({ ctx: owner, input: { project: "rides" } })).rejects.toThrow(
      /only Quiver itself and the quiver CLI/,
    );
    const statements = await offlineSetupStatements({ ctx: base, input: { project: "rides" } });
    const { reader, writer } = t.offline.roles("rides");
    expect(statements).toEqual(
      expect.arrayContaining([
        `ALTER ROLE "${reader}" SET default_transaction_read_only = on`,
        `GRANT USAGE ON SCHEMA "rides_wh" TO "${reader}", "${writer}"`,
        `GRANT SELECT ON ALL TABLES IN SCHEMA "rides_wh" TO "${reader}"`,
      ]),
    );
    expect(statements.join("\n")).not.toMatch(/SUPERUSER(?! )|GRANT "?pg_/);
  });

  it("checks every project's roles", async () => {
    const checks = await checkOfflineSpaces({ ctx: base });
    expect(checks.map((c) => c.project).sort()).toEqual(["rides", "trips"]);
    expect(checks.every((c) => c.problem === null)).toBe(true);
  });
});
