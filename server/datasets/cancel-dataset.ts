import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { recordAudit } from "../audit/record";
import { actorLabel, inTransaction } from "../core/context";
import { ConflictError, NotFoundError } from "../core/errors";
import { datasets } from "../db/schema";
import { defineOperation } from "../operations/define";
import { loadDataset } from "./rows";
import { Dataset, DatasetRef } from "./schemas";

/**
 * Cancels a queued or building dataset. The row is locked while its status changes, so a cancel
 * never races the build finishing; the queue's job is cancelled after commit. A build in progress
 * sees the status at its next slice, stops there and removes what it wrote (build.ts).
 */
export const cancelDatasetOp = defineOperation({
  name: "datasets.cancel",
  summary: "Cancel a queued or building dataset; a build stops at its next slice and removes its rows.",
  kind: "mutation",
  writesRegistry: false,
  access: "definitions.write",
  input: DatasetRef,
  output: Dataset,
  run: async ({ ctx, input, project }) => {
    const id = await inTransaction(ctx, async (tx) => {
      const [row] = await tx.db
        .select({ id: datasets.id, status: datasets.status })
        .from(datasets)
        .where(and(eq(datasets.projectId, project.id), eq(datasets.name, input.name)))
        .for("update");
      if (!row)
        throw new NotFoundError(`dataset "${input.name}" not found in project "${project.name}"`, "name");
      if (row.status !== "queued" && row.status !== "building")
        throw new ConflictError(
          `dataset "${input.name}" is ${row.status}; only a queued or building dataset can be cancelled`,
          "name",
        );
      await tx.db
        .update(datasets)
        .set({ status: "cancelled", error: `cancelled by ${actorLabel(ctx.actor)}`, finishedAt: sql`now()` })
        .where(eq(datasets.id, row.id));
      await recordAudit(tx, {
        project,
        action: "dataset.cancel",
        objectType: "dataset",
        objectName: input.name,
        before: { status: row.status },
        after: { status: "cancelled" },
      });
      return row.id;
    });
    await ctx.jobs.cancelDatasetBuild(id);
    return loadDataset(ctx, project, input.name);
  },
});
export const cancelDataset = cancelDatasetOp.call;
