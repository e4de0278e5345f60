import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { driverViewSpec, seedBasics } from "../../test/fixtures/registry";
import type { Ctx } from "../core/context";
import { ConflictError, InvalidError } from "../core/errors";
import {
  createConsumer,
  createDataSource,
  createFeatureService,
  createFeatureView,
  getConsumer,
  getFeatureService,
  listConsumers,
  listFeatureServices,
  updateConsumer,
  updateFeatureService,
} from "./index";

let t: TestDb;
let ctx: Ctx;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t);
  await seedBasics(ctx, t);
  await createFeatureView({ ctx, input: { project: "proj", spec: driverViewSpec() } });
});
afterAll(() => t.drop());

describe("feature services and consumers", () => {
  it("creates a service from view:feature references and a consumer of it", async () => {
    const svc = await createFeatureService({
      ctx,
      input: {
        project: "proj",
        name: "driver_activity",
        features: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:acc_rate"],
        owner: "eta@example.com",
      },
    });
    expect(svc.features).toEqual(["driver_hourly_stats:conv_rate", "driver_hourly_stats:acc_rate"]);
    const c = await createConsumer({
      ctx,
      input: { project: "proj", name: "eta_model", kind: "model", featureServices: ["driver_activity"] },
    });
    expect(c.featureServices).toEqual(["driver_activity"]);
    expect((await listConsumers({ ctx, input: { project: "proj" } })).map((x) => x.name)).toEqual([
      "eta_model",
    ]);
    expect((await listFeatureServices({ ctx, input: { project: "proj" } }))[0]?.features).toHaveLength(2);
  });

  it("refuses references that do not exist, naming the entry, writing nothing", async () => {
    const bad = [
      ["driver_hourly_stats:nope", /features.0: feature view "driver_hourly_stats" has no feature "nope"/],
      ["ghost_view:conv_rate", /features.0: feature view "ghost_view" does not exist/],
      ["not a ref", /features.0/],
    ] as const;
    for (const [ref, msg] of bad) {
      await expect(
        createFeatureService({ ctx, input: { project: "proj", name: "broken", features: [ref] } }),
      ).rejects.toThrow(msg);
    }
    await expect(
      createConsumer({
        ctx,
        input: { project: "proj", name: "m2", kind: "model", featureServices: ["ghost"] },
      }),
    ).rejects.toThrow(InvalidError);
    await expect(getFeatureService({ ctx, input: { project: "proj", name: "broken" } })).rejects.toThrow(
      /not found/,
    );
    await expect(getConsumer({ ctx, input: { project: "proj", name: "m2" } })).rejects.toThrow(/not found/);
  });

  it("supports view:* and updates in place", async () => {
    const svc = await updateFeatureService({
      ctx,
      input: { project: "proj", name: "driver_activity", features: ["driver_hourly_stats:*"] },
    });
    expect(svc.features).toEqual(["driver_hourly_stats:*"]);
    const c = await updateConsumer({ ctx, input: { project: "proj", name: "eta_model", kind: "service" } });
    expect(c).toMatchObject({ kind: "service", featureServices: [] });
  });

  it("keeps the order in which the definition names its views", async () => {
    await createFeatureView({
      ctx,
      input: { project: "proj", spec: driverViewSpec({ name: "a_first_alphabetically" }) },
    });
    const svc = await createFeatureService({
      ctx,
      input: {
        project: "proj",
        name: "ordered",
        features: [
          "driver_hourly_stats:acc_rate",
          "a_first_alphabetically:conv_rate",
          "driver_hourly_stats:conv_rate",
        ],
      },
    });
    expect(svc.features).toEqual([
      "driver_hourly_stats:acc_rate",
      "driver_hourly_stats:conv_rate",
      "a_first_alphabetically:conv_rate",
    ]);
  });

  it("refuses duplicates as conflicts", async () => {
    await expect(
      createFeatureService({
        ctx,
        input: { project: "proj", name: "driver_activity", features: ["driver_hourly_stats:*"] },
      }),
    ).rejects.toThrow(ConflictError);
    await expect(
      createDataSource({
        ctx,
        input: {
          project: "proj",
          name: "driver_stats_source",
          kind: "query",
          query: "select now() as ts",
          timestampField: "ts",
        },
      }),
    ).rejects.toThrow(ConflictError);
  });

  it("checks that a source has what its kind needs", async () => {
    await expect(
      createDataSource({ ctx, input: { project: "proj", name: "q", kind: "query", timestampField: "ts" } }),
    ).rejects.toThrow(/query: a query source needs a query/);
    await expect(
      createDataSource({
        ctx,
        input: {
          project: "proj",
          name: "t",
          kind: "table",
          tableName: "x; drop table y",
          timestampField: "ts",
        },
      }),
    ).rejects.toThrow(/tableName/);
  });
});
