import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../test/db";

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
});
