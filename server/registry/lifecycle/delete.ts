import "server-only";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../../audit/record";
import { inTransaction } from "../../core/context";
import { ConflictError, NotFoundError } from "../../core/errors";
import { Name } from "../../core/name";
import { pgCode } from "../../core/pg-error";
import { defineOperation } from "../../operations/define";
import { dependantsOf, dependedOnError } from "./dependants";
import { type DeletableKind, labelOf, REGISTRY_KINDS } from "./kinds";

export const DeleteObjectInput = z.object({ project: Name, name: Name });
export const DeletedObject = z.object({
  kind: z.enum(["entity", "data_source", "feature_view", "feature_service", "consumer"]),
  name: z.string(),
});

/**
 * Deletes one registry object, or refuses with a 409 naming what depends on it
 * (docs/adr/0025-editing-and-deleting-registry-objects.md). In one transaction: the object's row is
 * locked (FOR UPDATE, so a concurrent reference waits on its foreign key's KEY SHARE lock), its
 * dependants are read, the row is deleted and the audit entry written. The foreign keys (no cascade
 * from a dependant to what it depends on) are the last wall: a reference committed between the
 * check and the delete makes the delete fail with 23503, answered with the same named 409.
 *
 * A feature view's online values are removed inside the transaction, before it commits: if the
 * online store fails, the view stays (503); if the commit fails after, the view stays with no
 * online values (NOT_FOUND until materialized again), never the other way round (values of a
 * deleted view served to a new view of the same name). Its versions, runs, read counts and search
 * rows go with it (foreign keys on delete cascade); the audit log keeps its history.
 */
function deleteOperation(kind: DeletableKind, name: string, summary: string) {
  const { table } = REGISTRY_KINDS[kind];
  const label = labelOf(kind);
  return defineOperation({
    name,
    summary,
    kind: "mutation",
    access: "definitions.write",
    input: DeleteObjectInput,
    output: DeletedObject,
    run: async ({ ctx, input, project }) => {
      const find = () => and(eq(table.projectId, project.id), eq(table.name, input.name));
      try {
        await inTransaction(ctx, async (tx) => {
          const [row] = await tx.db.select().from(table).where(find()).for("update");
          if (!row)
            throw new NotFoundError(
              `${label} "${input.name}" not found in project "${project.name}"`,
              "name",
            );
          const dependants = await dependantsOf(tx, project.id, kind, row);
          if (dependants.length > 0) throw dependedOnError(kind, input.name, dependants);
          await tx.db.delete(table).where(eq(table.id, row.id));
          await recordAudit(tx, {
            project,
            action: `${kind}.delete`,
            objectType: kind,
            objectName: input.name,
            before: row,
          });
          if (kind === "feature_view") await tx.online.deleteView(project.name, input.name);
        });
      } catch (e) {
        if (pgCode(e) !== "23503") throw e;
        // A dependant committed between the check and the delete: name it, from a fresh snapshot.
        const [row] = await ctx.db.select().from(table).where(find());
        const dependants = row ? await dependantsOf(ctx, project.id, kind, row) : [];
        if (dependants.length > 0) throw dependedOnError(kind, input.name, dependants);
        throw new ConflictError(
          `${label} "${input.name}" changed while it was being deleted; try again`,
          "name",
        );
      }
      return { kind, name: input.name };
    },
  });
}

export const deleteEntityOp = deleteOperation(
  "entity",
  "entities.delete",
  "Delete an entity no feature view is keyed by.",
);
export const deleteEntity = deleteEntityOp.call;

export const deleteDataSourceOp = deleteOperation(
  "data_source",
  "sources.delete",
  "Delete a data source no feature view reads.",
);
export const deleteDataSource = deleteDataSourceOp.call;

export const deleteFeatureViewOp = deleteOperation(
  "feature_view",
  "featureViews.delete",
  "Delete a feature view no service or dataset uses and no run is filling, with its versions, runs and online values.",
);
export const deleteFeatureView = deleteFeatureViewOp.call;

export const deleteFeatureServiceOp = deleteOperation(
  "feature_service",
  "featureServices.delete",
  "Delete a feature service no consumer reads.",
);
export const deleteFeatureService = deleteFeatureServiceOp.call;

export const deleteConsumerOp = deleteOperation("consumer", "consumers.delete", "Delete a consumer.");
export const deleteConsumer = deleteConsumerOp.call;
