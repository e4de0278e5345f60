import type { TestDb } from "../../../test/db";
import type { Ctx } from "../../core/context";
import { createDataSource, createEntity, ensureProject } from "../index";
import type { FeatureViewSpecInput } from "../schemas";

/**
 * A project with a driver entity and a table source over `<project>.driver_stats` (a table of the
 * project's offline schema, created here), the usual ground for view tests.
 */
export async function seedBasics(ctx: Ctx, t: Pick<TestDb, "offlineSql">, project = "proj") {
  await t.offlineSql(project, OFFLINE_TABLE);
  await ensureProject({ ctx, input: { name: project } });
  await createEntity({
    ctx,
    input: { project, name: "driver", joinKey: "driver_id", valueType: "int64", description: "A driver" },
  });
  await createDataSource({
    ctx,
    input: {
      project,
      name: "driver_stats_source",
      kind: "table",
      tableName: `${project}.driver_stats`,
      timestampField: "event_timestamp",
      createdTimestampField: "created",
    },
  });
}

export function driverViewSpec(over: Partial<FeatureViewSpecInput> = {}): FeatureViewSpecInput {
  return {
    name: "driver_hourly_stats",
    entities: ["driver"],
    source: "driver_stats_source",
    ttlSeconds: 86400,
    description: "Hourly statistics of each driver's trips",
    owner: "ml-platform@example.com",
    tags: { team: "drivers" },
    fields: [
      { name: "conv_rate", dtype: "float64", description: "Share of offers the driver accepted" },
      { name: "acc_rate", dtype: "float64", description: "Acceptance rate over the last hour" },
      { name: "avg_daily_trips", dtype: "int64", description: "Average number of trips per day" },
    ],
    ...over,
  };
}

/**
 * The offline table behind the fixtures' source (created in the project's schema), with a column
 * for every field the tests use.
 */
const OFFLINE_TABLE = `
  create table if not exists driver_stats (
    driver_id bigint, customer_id bigint, event_timestamp timestamptz not null, created timestamptz,
    conv_rate float8, acc_rate float8, avg_daily_trips bigint, rating float8[], current_balance float8,
    lifetime_trip_count bigint, conversion_score float4, surge_multiplier float8)`;
