import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../test/db";
import { createPool } from "../db/client";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.drop();
});

describe("offline store", () => {
  it("provisions a project's roles and schema, and reads as its reader in UTC", async () => {
    await t.offlineSql("alpha", "create table events (id int, ts timestamp)");
    await t.offlineSql("alpha", "insert into events values (1, '2026-01-01 10:00:00')");
    const rows = await t.offline.transaction("alpha", "probe", async (c) => {
      const r = await c.query(
        "select current_user as u, current_setting('TimeZone') as tz, ts::timestamptz as ts from alpha.events",
      );
      return r.rows;
    });
    expect(rows[0]?.u).toBe(t.offline.roles("alpha").reader);
    expect(rows[0]?.tz).toBe("UTC");
    expect(rows[0]?.ts.toISOString()).toBe("2026-01-01T10:00:00.000Z");
  });

  it("with an administrator that may not create roles, says what a DBA must run, and works once it ran", async () => {
    // A plain login role owning a database of its own: it may create schemas there, not roles.
    const prefix = t.offline.roles("x").reader.slice(0, -"_x_r".length);
    const limited = `${prefix}_limited`;
    const db = `${t.offlineUrl.split("/").pop()}_dba`;
    const password = randomBytes(12).toString("hex");
    await t.offlineAdmin.query(`create role "${limited}" login password '${password}'`);
    await t.offlineAdmin.query(`create database "${db}" owner "${limited}"`);
    const adminUrl = new URL(t.offlineUrl);
    adminUrl.username = limited;
    adminUrl.password = password;
    adminUrl.pathname = `/${db}`;
    const store = t.openOffline({ adminUrl: adminUrl.toString(), rolePrefix: `${prefix}_dba` });
    const superuser = new URL(t.offlineUrl);
    superuser.pathname = `/${db}`;
    const dba = createPool(superuser.toString(), 1);
    try {
      await expect(store.transaction("gamma", "probe", (c) => c.query("select 1"))).rejects.toThrow(
        /offline role "[^"]+_gamma_r" of project "gamma" cannot sign in; a DBA must create it .*quiver offline setup-sql --project gamma/,
      );
      const statements = await store.setupStatements("gamma");
      expect(statements[0]).toMatch(/^CREATE ROLE "[^"]+_gamma_r" LOGIN NOSUPERUSER/);
      for (const s of statements) await dba.query(s);
      const answer = await store.transaction("gamma", "probe", (c) => c.query("select current_user as u"));
      expect(answer.rows[0]?.u).toBe(store.roles("gamma").reader);
    } finally {
      await dba.end();
      await store.close();
      const admin = createPool(t.offlineUrl, 1);
      await admin.query(`drop database if exists "${db}" with (force)`);
      for (const r of Object.values(store.roles("gamma"))) await admin.query(`drop role if exists "${r}"`);
      await admin.query(`drop role if exists "${limited}"`);
      await admin.end();
    }
  });
});
