import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import type { Ctx } from "../core/context";
import { pgCode } from "../core/pg-error";
import { createFeatureView } from "../registry";

// Every closed-set text column has a CHECK built from its array in server/core/vocabulary.ts
// (docs/adr/0019-schema-as-single-source.md). The allowed values are written here by hand.
const EXPECTED: Record<string, string[]> = {
  api_keys_role_check: ["viewer", "consumer", "editor", "operator", "owner"],
  project_members_role_check: ["viewer", "consumer", "editor", "operator", "owner"],
  audit_log_actor_kind_check: ["user", "api_key", "system", "local", "anonymous"],
  audit_log_object_type_check: [
    "project",
    "member",
    "user",
    "api_key",
    "entity",
    "data_source",
    "feature_view",
    "feature_service",
    "consumer",
    "offline_schema",
    "dataset",
    "alert_rule",
    "transformation",
    "stream_view",
    "on_demand_view",
  ],
  alert_deliveries_event_check: ["breach", "failed_run", "recovery", "drift", "test"],
  alert_deliveries_status_check: ["pending", "delivered", "failed"],
  alert_incidents_cause_check: ["failed_run", "no_run", "late_source_data"],
  alert_rules_format_check: ["json", "slack", "teams"],
  consumers_kind_check: ["model", "service"],
  data_sources_kind_check: ["table", "query", "file"],
  data_sources_file_format_check: ["parquet", "csv"],
  datasets_status_check: ["queued", "building", "ready", "failed", "cancelled"],
  datasets_entity_source_kind_check: ["upload", "query", "grid"],
  datasets_storage_kind_check: ["table", "parquet"],
  entities_value_type_check: ["int32", "int64", "string", "bytes"],
  feature_view_schedules_kind_check: ["cron", "every"],
  // Not a vocabulary: a cron schedule has its expression, an "every" one its minutes.
  feature_view_schedules_shape_check: ["cron", "every"],
  feature_view_reads_caller_kind_check: ["api_key", "user", "other"],
  feature_statistics_kind_check: ["numeric", "categorical", "count_only"],
  feature_statistics_distinct_method_check: ["exact", "approximate"],
  features_dtype_check: [
    "int32",
    "int64",
    "float32",
    "float64",
    "string",
    "bool",
    "bytes",
    "unix_timestamp",
    "list<int32>",
    "list<int64>",
    "list<float32>",
    "list<float64>",
    "list<string>",
    "list<bool>",
    "list<bytes>",
    "list<unix_timestamp>",
  ],
  // Not a vocabulary: a sample's minute is cut to the minute (date_trunc('minute', …)).
  lag_samples_minute_check: ["minute"],
  lag_samples_state_check: ["failing", "never_materialized", "late", "at_risk", "met", "no_sla"],
  materialization_run_log_level_check: ["info", "warn", "error"],
  materialization_run_ranges_status_check: ["queued", "running", "succeeded", "failed", "cancelled"],
  materialization_runs_status_check: ["queued", "running", "retrying", "succeeded", "failed", "cancelled"],
  materialization_runs_kind_check: ["range", "incremental"],
  project_offline_schemas_access_check: ["own", "shared"],
  schedule_ticks_outcome_check: ["started", "skipped"],
  transformation_schedules_kind_check: ["cron", "every"],
  // Not a vocabulary: as feature_view_schedules_shape_check.
  transformation_schedules_shape_check: ["cron", "every"],
  transformation_schedule_ticks_outcome_check: ["started", "skipped"],
  source_probes_status_check: ["ok", "timeout", "error"],
  transformation_runs_status_check: ["queued", "running", "retrying", "succeeded", "failed", "cancelled"],
  transformation_runs_mode_check: ["full", "incremental", "backfill"],
  transformation_versions_engine_check: ["postgres", "duckdb"],
  stream_views_stream_adapter_check: ["redis"],
};

let t: TestDb;
let ctx: Ctx;
let projectId: string;
let viewId: string;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
  const view = await createFeatureView({ ctx, input: { project: "proj", spec: driverViewSpec() } });
  viewId = view.id;
  const { rows } = await t.pool.query<{ id: string }>("select id from projects where name = 'proj'");
  projectId = rows[0]?.id ?? "";
});
afterAll(() => t.drop());

/** The error code and constraint of a statement Postgres refused (undefined when it succeeds). */
async function refusal(sql: string, values: unknown[]) {
  try {
    await t.pool.query(sql, values);
    return undefined;
  } catch (e) {
    return { code: pgCode(e), constraint: (e as { constraint?: string }).constraint };
  }
}

describe("vocabulary CHECK constraints", () => {
  it("exist with exactly the hand-written values", async () => {
    const { rows } = await t.pool.query<{ name: string; def: string }>(
      `select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
       where contype = 'c' and connamespace = 'public'::regnamespace`,
    );
    const found = Object.fromEntries(
      rows.map((r) => [r.name, [...r.def.matchAll(/'((?:[^']|'')*)'::text/g)].map((m) => m[1])]),
    );
    expect(found).toEqual(EXPECTED);
  });

  const run = (status: string, kind: string) =>
    refusal(
      `insert into materialization_runs (id, project_id, feature_view_id, feature_view_version, kind, status,
         start_ts, end_ts, triggered_by)
       values (gen_random_uuid(), $1, $2, 1, $3, $4, now(), now(), 'test')`,
      [projectId, viewId, kind, status],
    );

  it("refuse a run status or kind outside the vocabulary", async () => {
    expect(await run("queued", "range")).toBeUndefined();
    expect(await run("done", "range")).toEqual({
      code: "23514",
      constraint: "materialization_runs_status_check",
    });
    expect(await run("Queued", "range")).toMatchObject({ constraint: "materialization_runs_status_check" });
    expect(await run("queued", "full")).toMatchObject({ constraint: "materialization_runs_kind_check" });
  });

  it("refuse a role, a kind, a value type and an audit object type outside the vocabulary", async () => {
    expect(
      await refusal(
        `insert into api_keys (project_id, name, role, prefix, key_hash, created_by)
         values ($1, 'k', $2, 'p', 'h', 'test')`,
        [projectId, "admin"],
      ),
    ).toEqual({ code: "23514", constraint: "api_keys_role_check" });
    expect(
      await refusal("insert into consumers (project_id, name, kind) values ($1, 'c', $2)", [
        projectId,
        "dashboard",
      ]),
    ).toEqual({ code: "23514", constraint: "consumers_kind_check" });
    expect(
      await refusal(
        "insert into entities (project_id, name, join_key, value_type) values ($1, 'e', 'e_id', $2)",
        [projectId, "float64"],
      ),
    ).toEqual({ code: "23514", constraint: "entities_value_type_check" });
    expect(
      await refusal(
        `insert into audit_log (actor_kind, actor_name, action, object_type, object_name)
         values ('system', 'test', 'thing.create', $1, 'x')`,
        ["thing"],
      ),
    ).toEqual({ code: "23514", constraint: "audit_log_object_type_check" });
  });

  it("refuse a usage caller kind outside the vocabulary", async () => {
    const read = (kind: string) =>
      refusal(
        `insert into feature_view_reads (project_id, feature_view_id, caller_kind, caller_id, day, last_read_at)
         values ($1, $2, $3, '', '2026-03-10', now())`,
        [projectId, viewId, kind],
      );
    expect(await read("other")).toBeUndefined();
    expect(await read("system")).toEqual({
      code: "23514",
      constraint: "feature_view_reads_caller_kind_check",
    });
  });
});
