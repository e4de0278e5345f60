import "server-only";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { NotFoundError } from "../../core/errors";
import { Name } from "../../core/name";
import { defineOperation } from "../../operations/define";
import { Dependant, dependantsOf } from "./dependants";
import { type DeletableKind, labelOf, REGISTRY_KINDS } from "./kinds";

export const DependantsInput = z.object({ project: Name, name: Name });
export const DependantsOutput = z.object({
  /** Empty: the object can be deleted now. */
  dependants: z.array(Dependant),
});

/**
 * What depends on an object, by kind and name: what its delete would name in its 409, so a form
 * can say so before anyone presses Delete. Read-only, for any member.
 */
function dependantsOperation(kind: DeletableKind, name: string) {
  const { table } = REGISTRY_KINDS[kind];
  return defineOperation({
    name,
    summary: `What depends on a ${labelOf(kind)} (what would keep it from being deleted).`,
    kind: "query",
    access: "definitions.read",
    input: DependantsInput,
    output: DependantsOutput,
    run: async ({ ctx, input, project }) => {
      const [row] = await ctx.db
        .select({ id: table.id, name: table.name })
        .from(table)
        .where(and(eq(table.projectId, project.id), eq(table.name, input.name)));
      if (!row)
        throw new NotFoundError(
          `${labelOf(kind)} "${input.name}" not found in project "${project.name}"`,
          "name",
        );
      return { dependants: await dependantsOf(ctx, project.id, kind, row) };
    },
  });
}

export const entityDependantsOp = dependantsOperation("entity", "entities.dependants");
export const dataSourceDependantsOp = dependantsOperation("data_source", "sources.dependants");
export const featureViewDependantsOp = dependantsOperation("feature_view", "featureViews.dependants");
export const featureServiceDependantsOp = dependantsOperation(
  "feature_service",
  "featureServices.dependants",
);
export const consumerDependantsOp = dependantsOperation("consumer", "consumers.dependants");
