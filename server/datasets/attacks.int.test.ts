import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { base64, type DatasetQueue, startDatasetQueue, waitForDataset } from "../../test/helpers/datasets";
import { PROJECT, seedServing } from "../../test/helpers/serving";
import type { Role } from "../auth/roles";
import type { Actor, Ctx } from "../core/context";
import { ensureProject } from "../registry";
import { handleDownloadDataset } from "../web/http-handlers";
import { createDataset, previewDataset, previewDraft, uploadEntities } from "./index";

/**
 * What a dataset must not let through: an entity query reading another project's schema, the
 * registry or the system catalogs; an upload path leaving the project's file area (or naming
 * another project's file); a role below editor creating one, below consumer reading its rows;
 * and any value of the data (or the SQL) in an error, which every viewer of the project sees.
 */
let t: TestDb;
let ctx: Ctx;
let queue: DatasetQueue;
let projectId = "";

const SELECTION = { features: ["driver_hourly_stats:conv_rate"] };

beforeAll(async () => {
  t = await createTestDb();
  queue = await startDatasetQueue(t.url, () => testCtx(t), { sliceRows: 2 });
  ctx = testCtx(t, { jobs: queue.jobs });
  await seedServing(ctx, t);
  projectId = (await ensureProject({ ctx, input: { name: PROJECT } })).id;
  await t.offlineSql(
    PROJECT,
    `insert into driver_stats (driver_id, conv, event_timestamp) values (1, 0.5, '2026-01-01T00:00:00Z');
     create table notes (driver_id bigint, note text);
     insert into notes values (1, '2026-01-02'), (2, '2026-01-03'), (3, 'topsecret-value');`,
  );
  await ensureProject({ ctx, input: { name: "other" } });
  await t.offlineSql(
    "other",
    "create table secrets (driver_id bigint, event_timestamp timestamptz, password text); insert into secrets values (1, now(), 'hunter2')",
  );
}, 60_000);
afterAll(async () => {
  await queue?.stop();
  await t?.drop();
});

const querySource = (sql: string) => ({ kind: "query" as const, sql });

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string; field?: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code?: string; message: string; field?: string };
    return { code: String(err.code), message: err.message, field: err.field };
  }
  throw new Error("expected a refusal");
}

function attempt(sql: string) {
  return refusal(
    createDataset({
      ctx,
      input: { project: PROJECT, name: "attack", selection: SELECTION, entitySource: querySource(sql) },
    }),
  );
}

describe("dataset entity queries run in the offline sandbox as the project's reader", () => {
  it("refuses another project's schema (Postgres's grants), naming no value", async () => {
    const r = await attempt("select driver_id, event_timestamp from other.secrets");
    expect(r).toMatchObject({ code: "INVALID", field: "entitySource.sql" });
    expect(r.message).toMatch(/permission denied/);
    expect(r.message).not.toMatch(/hunter2/);
    const draft = await refusal(
      previewDraft({
        ctx,
        input: {
          project: PROJECT,
          selection: SELECTION,
          entitySource: querySource("select * from other.secrets"),
        },
      }),
    );
    expect(draft.message).toMatch(/permission denied/);
  });

  it("refuses the system catalogs (the sandbox) and cannot see the registry's tables", async () => {
    for (const sql of [
      "select 1::bigint as driver_id, now() as event_timestamp from pg_catalog.pg_authid",
      "select 1::bigint as driver_id, now() as event_timestamp from pg_shadow",
      "select 1::bigint as driver_id, now() as event_timestamp from information_schema.tables",
    ])
      expect((await attempt(sql)).message).toMatch(/system catalog .* is not readable/);
    // The registry lives in another database: its tables are not there to read.
    for (const table of ["users", "public.api_keys", "datasets"])
      expect(
        (await attempt(`select 1::bigint as driver_id, now() as event_timestamp from ${table}`)).message,
      ).toMatch(/does not exist|permission denied/);
  });

  it("refuses a second statement, a write and a dangerous function", async () => {
    for (const [sql, why] of [
      ["select 1::bigint as driver_id, now() as event_timestamp; drop table notes", /exactly one statement/],
      ["delete from notes returning driver_id, now() as event_timestamp", /only a SELECT/],
      ["select 1::bigint as driver_id, now() as event_timestamp from pg_sleep(5)", /pg_sleep/],
    ] as const)
      expect((await attempt(sql)).message).toMatch(why);
  });

  it("a data error in a build says what kind, never the value", async () => {
    await createDataset({
      ctx,
      input: {
        project: PROJECT,
        name: "leaky",
        selection: SELECTION,
        entitySource: querySource(
          "select driver_id, note::timestamptz as event_timestamp from proj.notes order by driver_id",
        ),
      },
    });
    const d = await waitForDataset(ctx, PROJECT, "leaky");
    expect(d.status).toBe("failed");
    expect(d.error).toMatch(/a date or time value has an invalid format \(SQLSTATE 22007\)/);
    expect(d.error).not.toMatch(/topsecret/);
    expect(d.error).not.toMatch(/select|notes/i);
  });
});

describe("uploaded entity files stay in the project's own file area", () => {
  it("refuses paths that leave the area or are no upload, and another project's upload", async () => {
    const other = await uploadEntities({
      ctx,
      input: {
        project: "other",
        fileName: "e.csv",
        format: "csv",
        contentBase64: base64("driver_id,event_timestamp\n1,2026-01-01\n"),
      },
    });
    for (const path of [
      "../other/uploads/x.csv",
      "uploads/../../other/uploads/x.csv",
      "/etc/passwd",
      "uploads//etc/passwd",
      "datasets/x.parquet",
      other.path,
      `../other/${other.path}`,
    ]) {
      const r = await refusal(
        createDataset({
          ctx,
          input: {
            project: PROJECT,
            name: "attack",
            selection: SELECTION,
            entitySource: { kind: "upload", path, format: "csv", fileName: "x.csv" },
          },
        }),
      );
      expect(r, path).toMatchObject({ code: "INVALID", field: "entitySource.path" });
    }
  });

  it("refuses a file that is not CSV, and one without event_timestamp (and keeps neither)", async () => {
    const fs = await import("node:fs");
    const path = await import("node:path");
    const dir = ctx.offline.files.dirOf(PROJECT);
    const kept = () =>
      fs
        .readdirSync(dir, { recursive: true })
        .map(String)
        .filter((f) => fs.statSync(path.join(dir, f)).isFile());
    const before = kept();
    const noTime = await refusal(
      uploadEntities({
        ctx,
        input: {
          project: PROJECT,
          fileName: "e.csv",
          format: "csv",
          contentBase64: base64("driver_id,ts\n1,2026\n"),
        },
      }),
    );
    expect(noTime.message).toMatch(/no "event_timestamp" column/);
    const garbage = await refusal(
      uploadEntities({
        ctx,
        input: {
          project: PROJECT,
          fileName: "e.parquet",
          format: "parquet",
          contentBase64: base64("not parquet"),
        },
      }),
    );
    expect(garbage.message).toBe(
      "contentBase64: the Parquet file could not be read (is it a valid file of its format?)",
    );
    expect(kept()).toEqual(before);
  });

  it("a bad value in an uploaded file fails the draft and the build without quoting it", async () => {
    const up = await uploadEntities({
      ctx,
      input: {
        project: PROJECT,
        fileName: "e.csv",
        format: "csv",
        contentBase64: base64("driver_id,event_timestamp\n1,2026-01-01\nsecret-id-42,2026-01-01\n"),
      },
    });
    const entitySource = {
      kind: "upload" as const,
      path: up.path,
      format: "csv" as const,
      fileName: "e.csv",
    };
    const draft = await refusal(
      previewDraft({ ctx, input: { project: PROJECT, selection: SELECTION, entitySource } }),
    );
    expect(draft.message).toBe(
      'entity row 2: join key "driver_id" is not an int64 (an integer or a decimal string)',
    );
    await createDataset({
      ctx,
      input: { project: PROJECT, name: "bad_id", selection: SELECTION, entitySource },
    });
    const d = await waitForDataset(ctx, PROJECT, "bad_id");
    expect(d).toMatchObject({ status: "failed" });
    expect(d.error).not.toMatch(/secret-id-42/);
  });
});

describe("roles", () => {
  const key = (role: Role): Actor => ({ kind: "api_key", id: `k-${role}`, name: role, projectId, role });
  const as = (role: Role): Ctx => ({ ...ctx, actor: key(role) });

  it("a consumer may read rows but not create; a viewer may neither preview rows nor download", async () => {
    await createDataset({
      ctx,
      input: {
        project: PROJECT,
        name: "roles",
        selection: SELECTION,
        entitySource: querySource("select 1::bigint as driver_id, now() as event_timestamp"),
      },
    });
    await waitForDataset(ctx, PROJECT, "roles");
    const create = await refusal(
      createDataset({
        ctx: as("consumer"),
        input: {
          project: PROJECT,
          name: "by_consumer",
          selection: SELECTION,
          entitySource: querySource("select 1"),
        },
      }),
    );
    expect(create.code).toBe("FORBIDDEN");
    expect(
      (await previewDataset({ ctx: as("consumer"), input: { project: PROJECT, name: "roles" } })).rows,
    ).toHaveLength(1);
    expect(
      (await refusal(previewDataset({ ctx: as("viewer"), input: { project: PROJECT, name: "roles" } }))).code,
    ).toBe("FORBIDDEN");
    const download = (role: Role) =>
      handleDownloadDataset(
        new Request(`http://quiver.test/api/v1/datasets/download?project=${PROJECT}&name=roles`),
        async () => as(role),
      );
    expect((await download("viewer")).status).toBe(403);
    const ok = await download("consumer");
    expect(ok.status).toBe(200);
    expect((await ok.text()).split("\r\n")[0]).toBe("driver_id,event_timestamp,conv_rate");
  });
});
