import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { seedBasics } from "../../test/fixtures/registry";
import type { Ctx } from "../core/context";
import { PREVIEW_ROWS, previewTransformationDraft } from "./registry";

/**
 * The form previews unsaved SQL (docs/adr/0038-sql-editor.md): the draft preview must stay inside
 * the sandbox whatever is typed, cap its rows, and name positions the editor can underline.
 */
let t: TestDb;
let ctx: Ctx;
const P = "proj";
const preview = (sql: string) => previewTransformationDraft({ ctx, input: { project: P, sql } });

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
  const values = Array.from({ length: 150 }, (_, i) => `(${i}, '2026-01-01T00:00:00Z')`).join(", ");
  await t.offlineSql(P, `insert into driver_stats (driver_id, event_timestamp) values ${values}`);
});
afterAll(async () => {
  await t?.drop();
});

describe("transformations.preview of a draft", () => {
  it("returns at most the first 100 rows", async () => {
    const result = await preview("select driver_id, event_timestamp from driver_stats_source");
    expect(PREVIEW_ROWS).toBe(100);
    expect(result.rows).toHaveLength(100);
  });

  it("refuses the system catalog, whatever the draft says", async () => {
    await expect(
      preview("select d.driver_id, a.rolpassword from driver_stats_source d, pg_catalog.pg_authid a"),
    ).rejects.toMatchObject({ code: "INVALID", field: "sql" });
    await expect(
      preview("select driver_id from driver_stats_source where exists (select 1 from pg_authid)"),
    ).rejects.toMatchObject({ code: "INVALID", field: "sql" });
  });

  it("reads no table but the project's sources: another schema's table is not a source", async () => {
    await expect(
      preview("select s.driver_id from driver_stats_source s join public.users u on true"),
    ).rejects.toMatchObject({ code: "INVALID", field: "sql" });
    await expect(preview("select driver_id from proj.driver_stats")).rejects.toMatchObject({
      code: "INVALID",
      field: "sql",
    });
  });

  it("refuses a write", async () => {
    await expect(preview("delete from driver_stats_source")).rejects.toMatchObject({ code: "INVALID" });
  });

  it("names the position of an unknown source and of a syntax error, 1-based", async () => {
    const unknown = "select driver_id from nope_source";
    await expect(preview(unknown)).rejects.toThrow(
      /"nope_source" is not a data source of this project \(at position 23\)/,
    );
    expect(unknown.slice(22)).toBe("nope_source");
    await expect(preview("select driver_id,, 1 from driver_stats_source")).rejects.toThrow(
      /syntax error at or near "," \(at position 18\)/,
    );
  });
});
