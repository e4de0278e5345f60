import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb, testCtx } from "../../../test/db";
import { driverViewSpec, seedBasics } from "../../../test/fixtures/registry";
import { addProjectWithMember, insertUser } from "../../../test/fixtures/users";
import { recordingJobs } from "../../../test/helpers/materialization";
import { STORE_KINDS } from "../../../test/helpers/serving";
import { ForbiddenError } from "../../core/errors";
import { runMaterialization } from "../../materialization/run-materialization";
import { getOnlineFeatures } from "../../serving/get-online-features";
import { createConsumer, createFeatureService, createFeatureView, getFeatureView } from "../index";
import { planFeatureView } from "./plan";
import { updateFeatureView } from "./update";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.drop());

describe.each(STORE_KINDS)("a dtype change ($kind online store)", (store) => {
  it.skipIf(store.skip)(
    "is planned, drops the old-typed values (never served as the new type), and re-materializes in the same call",
    async () => {
      const opened = await store.open(t);
      const jobs = recordingJobs();
      const ctx = { ...opened.ctx, jobs };
      const project = `p_${store.kind}`;
      try {
        await seedBasics(ctx, t, project);
        await t.offlineSql(
          project,
          "insert into driver_stats (driver_id, event_timestamp, created, conversion_score) values (1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 0.5)",
        );
        const spec = driverViewSpec({
          name: "scored",
          ttlSeconds: 0,
          fields: [{ name: "conversion_score", dtype: "float32" }],
        });
        await createFeatureView({ ctx, input: { project, spec } });
        await createFeatureService({ ctx, input: { project, name: "scoring", features: ["scored:*"] } });
        await createConsumer({
          ctx,
          input: { project, name: "ranker", kind: "model", featureServices: ["scoring"] },
        });

        const read = () =>
          getOnlineFeatures({
            ctx,
            input: { project, features: ["scored:conversion_score"], entities: { driver_id: [1] } },
          });
        const first = await updateFeatureView({
          ctx,
          input: { project, baseVersion: 1, spec: { ...spec, description: "scores" }, rematerialize: true },
        });
        expect(first).toMatchObject({ version: 2, changed: true, onlineValuesCleared: false });
        await runMaterialization(ctx, first.runId ?? "");
        expect((await read()).results[1]).toMatchObject({ values: [0.5], statuses: ["PRESENT"] });
        expect(
          (await getFeatureView({ ctx, input: { project, name: "scored" } })).materializedUntil,
        ).not.toBeNull();

        const changed = {
          ...spec,
          description: "scores",
          fields: [{ name: "conversion_score", dtype: "float64" as const }],
        };
        const plan = await planFeatureView({ ctx, input: { project, baseVersion: 2, spec: changed } });
        expect(plan).toMatchObject({
          nextVersion: 3,
          breaking: [{ kind: "dtype_changed", feature: "conversion_score" }],
          affectedServices: [
            { name: "scoring", features: ["conversion_score"], broken: true, consumers: ["ranker"] },
          ],
          affectedConsumers: ["ranker"],
          rematerialization: { needed: true, clearsOnlineValues: true },
          typeChecks: [
            {
              field: "conversion_score",
              dtype: "float64",
              columnType: "real",
              match: "safe_cast",
              cast: "real widened to float64",
            },
          ],
        });
        expect(plan.changes.map((c) => c.path)).toEqual(["fields.conversion_score.dtype"]);
        // The plan wrote nothing.
        expect((await getFeatureView({ ctx, input: { project, name: "scored" } })).currentVersion).toBe(2);
        expect((await read()).results[1]?.statuses).toEqual(["PRESENT"]);

        // A caller who may edit but not run jobs: 403 before anything is written.
        const editor = await insertUser(ctx, `editor_${store.kind}@example.com`);
        await addProjectWithMember(ctx, project, editor.id, "editor");
        const refused = updateFeatureView({
          ctx: { ...ctx, actor: editor },
          input: { project, baseVersion: 2, spec: changed, rematerialize: true },
        });
        await expect(refused).rejects.toThrow(ForbiddenError);
        expect((await getFeatureView({ ctx, input: { project, name: "scored" } })).currentVersion).toBe(2);

        const saved = await updateFeatureView({
          ctx,
          input: { project, baseVersion: 2, spec: changed, rematerialize: true },
        });
        expect(saved).toMatchObject({ version: 3, changed: true, onlineValuesCleared: true });
        expect(saved.runId).toEqual(expect.any(String));
        // Until the run has written, nothing of the old type is served, and the watermark says so.
        expect((await read()).results[1]).toMatchObject({ values: [null], statuses: ["NOT_FOUND"] });
        expect(
          (await getFeatureView({ ctx, input: { project, name: "scored" } })).materializedUntil,
        ).toBeNull();

        await runMaterialization(ctx, saved.runId ?? "");
        expect((await read()).results[1]).toMatchObject({ values: [0.5], statuses: ["PRESENT"] });
        expect(
          (await getFeatureView({ ctx, input: { project, name: "scored" } })).materializedUntil,
        ).not.toBeNull();
      } finally {
        await opened.close();
      }
    },
  );
});

describe("breaking changes", () => {
  it("a save without breaking changes keeps the online values; a stale plan is a 409", async () => {
    const ctx = testCtx(t);
    await seedBasics(ctx, t, "plain");
    await createFeatureView({ ctx, input: { project: "plain", spec: driverViewSpec() } });
    const plan = await planFeatureView({
      ctx,
      input: { project: "plain", baseVersion: 1, spec: driverViewSpec({ ttlSeconds: 3600 }) },
    });
    expect(plan.breaking.map((b) => b.kind)).toEqual(["ttl_shortened"]);
    expect(plan.rematerialization).toEqual({ needed: false, clearsOnlineValues: false, reasons: [] });
    await expect(
      planFeatureView({ ctx, input: { project: "plain", baseVersion: 7, spec: driverViewSpec() } }),
    ).rejects.toThrow(/is at version 1; your edit was based on version 7/);
    const unchanged = await planFeatureView({
      ctx,
      input: { project: "plain", baseVersion: 1, spec: driverViewSpec() },
    });
    expect(unchanged.nextVersion).toBeNull();
    await expect(
      planFeatureView({
        ctx,
        input: {
          project: "plain",
          baseVersion: 1,
          spec: driverViewSpec({ fields: [{ name: "conv_rate", dtype: "string" }] }),
        },
      }),
    ).rejects.toThrow(/fields.0.dtype: field "conv_rate" is declared string/);
  });
});
