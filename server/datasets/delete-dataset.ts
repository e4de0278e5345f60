import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { inTransaction } from "../core/context";
import { ConflictError, NotFoundError } from "../core/errors";
import { consumerDatasets, consumers, datasets } from "../db/schema";
import { defineOperation } from "../operations/define";
import { DatasetRef } from "./schemas";
import { removeStorage } from "./storage";

/**
 * Deletes a dataset: its row (with its lineage), then its stored rows (the table or the file) and
 * its uploaded entity file. A dataset a consumer was trained on is kept (409) until the consumer no
 * longer lists it. A build in progress finds its row gone at its next slice and stops.
 */
export const deleteDatasetOp = defineOperation({
  name: "datasets.delete",
  summary: "Delete a dataset and its stored rows (table or file).",
  kind: "mutation",
  writesRegistry: false,
  access: "definitions.write",
  input: DatasetRef,
  output: z.object({ deleted: z.string() }),
  run: async ({ ctx, input, project }) => {
    const row = await inTransaction(ctx, async (tx) => {
      const [found] = await tx.db
        .select()
        .from(datasets)
        .where(and(eq(datasets.projectId, project.id), eq(datasets.name, input.name)))
        .for("update");
      if (!found)
        throw new NotFoundError(`dataset "${input.name}" not found in project "${project.name}"`, "name");
      const users = await tx.db
        .select({ name: consumers.name })
        .from(consumerDatasets)
        .innerJoin(consumers, eq(consumers.id, consumerDatasets.consumerId))
        .where(eq(consumerDatasets.datasetId, found.id))
        .orderBy(asc(consumers.name));
      if (users.length > 0)
        throw new ConflictError(
          `dataset "${input.name}" is listed by consumer ${users.map((u) => `"${u.name}"`).join(", ")}; remove it there first`,
          "name",
        );
      await tx.db.delete(datasets).where(eq(datasets.id, found.id));
      await recordAudit(tx, {
        project,
        action: "dataset.delete",
        objectType: "dataset",
        objectName: input.name,
        before: { status: found.status, storage: found.storageKind, rows: found.rowsDone },
      });
      return found;
    });
    if (row.status === "queued" || row.status === "building") await ctx.jobs.cancelDatasetBuild(row.id);
    const log = ctx.log.child({ project: project.name, dataset: input.name });
    if (row.storageLocation)
      await removeStorage(ctx, project.name, { kind: row.storageKind, location: row.storageLocation }).catch(
        (e: unknown) => log.warn({ err: e }, "removing a deleted dataset's rows failed"),
      );
    if (row.entitySource.kind === "upload")
      await ctx.offline.files
        .remove(project.name, row.entitySource.path)
        .catch((e: unknown) => log.warn({ err: e }, "removing a deleted dataset's entity file failed"));
    return { deleted: input.name };
  },
});
export const deleteDataset = deleteDatasetOp.call;
