import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { recordAudit } from "../audit/record";
import { actorLabel, inTransaction } from "../core/context";
import { ConflictError } from "../core/errors";
import { uniquely } from "../core/unique";
import { datasetFeatureViews, datasets } from "../db/schema";
import { defineOperation } from "../operations/define";
import { checkEntitySource } from "./entity-source";
import { loadDataset } from "./rows";
import { CreateDatasetInput, Dataset } from "./schemas";
import { resolveSelection } from "./selection";

/**
 * Saves a dataset's definition and queues its build. Everything is checked first, so a build
 * only fails on what could not be known up front (data errors, a change meanwhile): the name is
 * free, the features (or the service) exist and are offline, and the entity source gives exactly
 * the views' join keys and event_timestamp (its file read, its SQL through the sandbox, its view
 * and times checked). The row (status queued, the views and versions it reads) and the audit
 * entry commit together; the job, whose id is the dataset's, is sent after.
 */
export const createDatasetOp = defineOperation({
  name: "datasets.create",
  summary: "Save a dataset: point-in-time training rows built by a job and kept (table or Parquet).",
  kind: "mutation",
  writesRegistry: false,
  access: "definitions.write",
  input: CreateDatasetInput,
  output: Dataset,
  doors: ["trpc", "rest", "cli"],
  run: async ({ ctx, input, project }) => {
    const [taken] = await ctx.db
      .select({ id: datasets.id })
      .from(datasets)
      .where(and(eq(datasets.projectId, project.id), eq(datasets.name, input.name)));
    if (taken) throw new ConflictError(`dataset "${input.name}" already exists`, "name");
    const selection = await resolveSelection(ctx, project, input.selection);
    const entitySource = await checkEntitySource(ctx, project, input.entitySource, selection);

    const id = randomUUID();
    await inTransaction(ctx, async (tx) => {
      await uniquely(`dataset "${input.name}"`, () =>
        tx.db.insert(datasets).values({
          id,
          projectId: project.id,
          name: input.name,
          description: input.description,
          tags: input.tags,
          owner: input.owner,
          features: input.selection.features ?? null,
          featureServiceId: selection.featureService?.id ?? null,
          featureServiceName: selection.featureService?.name ?? null,
          fullFeatureNames: input.selection.fullFeatureNames,
          entitySourceKind: entitySource.kind,
          entitySource,
          storageKind: input.storage,
          createdBy: actorLabel(ctx.actor),
          jobId: id,
        }),
      );
      await tx.db
        .insert(datasetFeatureViews)
        .values(
          selection.views.map((v) => ({ datasetId: id, featureViewId: v.id, featureViewVersion: v.version })),
        );
      await recordAudit(tx, {
        project,
        action: "dataset.create",
        objectType: "dataset",
        objectName: input.name,
        after: {
          features: input.selection.features ?? null,
          featureService: selection.featureService?.name ?? null,
          fullFeatureNames: input.selection.fullFeatureNames,
          entitySource,
          storage: input.storage,
          views: Object.fromEntries(selection.views.map((v) => [v.name, v.version])),
        },
      });
    });
    try {
      await ctx.jobs.enqueueDatasetBuild(id);
    } catch (e) {
      ctx.log.error(
        { err: e, project: project.name, dataset: input.name },
        "could not queue a dataset build",
      );
      await ctx.db
        .update(datasets)
        .set({
          status: "failed",
          error: "the build could not be queued; create the dataset again",
          finishedAt: sql`now()`,
        })
        .where(and(eq(datasets.id, id), eq(datasets.status, "queued")));
    }
    return loadDataset(ctx, project, input.name);
  },
});
export const createDataset = createDatasetOp.call;
