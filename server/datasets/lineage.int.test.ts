import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../test/db";
import { recordingJobs } from "../../test/helpers/materialization";
import { PROJECT, seedServing } from "../../test/helpers/serving";
import type { Ctx } from "../core/context";
import { createConsumer, getConsumer, listConsumers, updateConsumer } from "../registry";
import { getLineage, getNeighborhood } from "../registry/lineage";
import { createDataset, deleteDataset, getDataset } from "./index";

/** Lineage through saved datasets: view -> dataset -> the consumers (models) trained on it. */
let t: TestDb;
let ctx: Ctx;

beforeAll(async () => {
  t = await createTestDb();
  ctx = testCtx(t, { jobs: recordingJobs() });
  await seedServing(ctx, t);
  await createDataset({
    ctx,
    input: {
      project: PROJECT,
      name: "train_set",
      owner: "ml-team",
      selection: { features: ["driver_hourly_stats:conv_rate", "customer_trips:trips_together"] },
      entitySource: {
        kind: "grid",
        view: "customer_trips",
        start: "2026-01-01T00:00:00Z",
        end: "2026-01-02T00:00:00Z",
        stepSeconds: 3600,
      },
    },
  });
});
afterAll(() => t?.drop());

describe("datasets in lineage", () => {
  it("a consumer lists the datasets it was trained on; an unknown one is refused naming it", async () => {
    const model = await createConsumer({
      ctx,
      input: {
        project: PROJECT,
        name: "eta_model",
        kind: "model",
        featureServices: ["driver_activity"],
        datasets: ["train_set"],
      },
    });
    expect(model.datasets).toEqual(["train_set"]);
    expect((await getConsumer({ ctx, input: { project: PROJECT, name: "eta_model" } })).datasets).toEqual([
      "train_set",
    ]);
    expect(
      (await listConsumers({ ctx, input: { project: PROJECT } })).map((c) => [c.name, c.datasets]),
    ).toEqual([["eta_model", ["train_set"]]]);
    expect((await getDataset({ ctx, input: { project: PROJECT, name: "train_set" } })).consumers).toEqual([
      "eta_model",
    ]);
    await expect(
      createConsumer({
        ctx,
        input: { project: PROJECT, name: "other_model", kind: "model", datasets: ["nope"] },
      }),
    ).rejects.toMatchObject({
      code: "INVALID",
      field: "datasets.0",
      message: 'datasets.0: dataset "nope" does not exist',
    });
  });

  it("draws view -> dataset -> consumer, and walks through it", async () => {
    const g = await getLineage({ ctx, input: { project: PROJECT } });
    const node = g.nodes.find((n) => n.id === "dataset:train_set");
    expect(node).toMatchObject({
      kind: "dataset",
      name: "train_set",
      meta: { owner: "ml-team", status: "queued", storage: "table" },
    });
    const ids = g.edges.map((e) => e.id);
    expect(ids.filter((id) => id.includes("dataset:")).sort()).toEqual([
      "dataset:train_set->consumer:eta_model",
      "feature_view:customer_trips->dataset:train_set",
      "feature_view:driver_hourly_stats->dataset:train_set",
    ]);
    // Kinds stay in column order: datasets after services, before consumers.
    const kinds = g.nodes.map((n) => n.kind);
    expect(kinds.indexOf("dataset")).toBeGreaterThan(kinds.lastIndexOf("feature_service"));
    expect(kinds.indexOf("dataset")).toBeLessThan(kinds.indexOf("consumer"));
    const down = await getNeighborhood({
      ctx,
      input: { project: PROJECT, nodeId: "feature_view:customer_trips", direction: "downstream" },
    });
    expect(down.nodes.map((n) => n.id)).toEqual(
      expect.arrayContaining(["dataset:train_set", "consumer:eta_model"]),
    );
  });

  it("a dataset a consumer lists cannot be deleted until the consumer no longer lists it", async () => {
    await expect(
      deleteDataset({ ctx, input: { project: PROJECT, name: "train_set" } }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: 'dataset "train_set" is listed by consumer "eta_model"; remove it there first',
    });
    await updateConsumer({
      ctx,
      input: { project: PROJECT, name: "eta_model", kind: "model", featureServices: ["driver_activity"] },
    });
    expect((await getConsumer({ ctx, input: { project: PROJECT, name: "eta_model" } })).datasets).toEqual([]);
    await deleteDataset({ ctx, input: { project: PROJECT, name: "train_set" } });
    const g = await getLineage({ ctx, input: { project: PROJECT } });
    expect(g.nodes.some((n) => n.kind === "dataset")).toBe(false);
  });
});
