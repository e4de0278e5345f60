import "server-only";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../../audit/record";
import type { ProjectRow } from "../../auth/authorize";
import { type Ctx, inTransaction } from "../../core/context";
import { InvalidError, NotFoundError } from "../../core/errors";
import { Name } from "../../core/name";
import { defineOperation } from "../../operations/define";
import { labelOf, REGISTRY_KINDS, type RegistryKind } from "./kinds";

export const DeprecateInput = z.object({
  project: Name,
  name: Name,
  /** Why, and what to do instead; shown wherever the object is. */
  note: z.string().trim().min(1, "say why it is deprecated").max(2000),
  /** Another object of the same kind, in the same project, that replaces it. */
  replacedBy: Name.optional(),
});
export const UndeprecateInput = z.object({ project: Name, name: Name });

export const DeprecationState = z.object({
  kind: z.enum(["entity", "data_source", "feature_view", "feature_service", "consumer", "dataset"]),
  name: z.string(),
  deprecatedAt: z.date().nullable(),
  deprecationNote: z.string(),
  replacedBy: z.string().nullable(),
});

/** Longest replacedBy chain followed when looking for a cycle (a longer one is refused too). */
const MAX_CHAIN = 50;

/**
 * The replacement must be another object of the same kind in the same project, and following
 * replacedBy from it must not come back to the object (a cycle would send readers round forever).
 */
async function checkReplacement(
  ctx: Ctx,
  p: ProjectRow,
  kind: RegistryKind,
  name: string,
  replacedBy: string,
) {
  const { table } = REGISTRY_KINDS[kind];
  const label = labelOf(kind);
  if (replacedBy === name)
    throw new InvalidError(
      `replacedBy: ${label === "entity" ? "an" : "a"} ${label} cannot replace itself`,
      "replacedBy",
    );
  let next: string | null = replacedBy;
  for (let step = 0; next !== null; step++) {
    if (next === name)
      throw new InvalidError(
        `replacedBy: ${label} "${replacedBy}" is itself replaced, through its chain, by "${name}"; that would be a cycle`,
        "replacedBy",
      );
    if (step >= MAX_CHAIN)
      throw new InvalidError(`replacedBy: the chain of replacements is too long`, "replacedBy");
    const [row]: { replacedBy: string | null }[] = await ctx.db
      .select({ replacedBy: table.replacedBy })
      .from(table)
      .where(and(eq(table.projectId, p.id), eq(table.name, next)))
      // Held to commit: deleting the replacement waits for this deprecation, then sees it.
      .for("share");
    if (!row) {
      if (step === 0)
        throw new InvalidError(
          `replacedBy: ${label} "${replacedBy}" does not exist in project "${p.name}"`,
          "replacedBy",
        );
      break;
    }
    next = row.replacedBy;
  }
}

type State = { deprecatedAt: Date | null; deprecationNote: string; replacedBy: string | null };

/**
 * Writes an object's deprecation state in one transaction with its audit entry: the row is locked,
 * `next` computes the new state from the old (and may refuse), then the row and the entry are written.
 */
async function writeDeprecation(
  ctx: Ctx,
  project: ProjectRow,
  kind: RegistryKind,
  name: string,
  mode: "deprecate" | "undeprecate",
  next: (tx: Ctx, before: State, now: Date) => Promise<State>,
) {
  const { table } = REGISTRY_KINDS[kind];
  return inTransaction(ctx, async (tx) => {
    const where = and(eq(table.projectId, project.id), eq(table.name, name));
    const [before] = await tx.db
      .select({
        deprecatedAt: table.deprecatedAt,
        deprecationNote: table.deprecationNote,
        replacedBy: table.replacedBy,
      })
      .from(table)
      .where(where)
      .for("update");
    if (!before)
      throw new NotFoundError(`${labelOf(kind)} "${name}" not found in project "${project.name}"`, "name");
    const now = new Date();
    const after = await next(tx, before, now);
    await tx.db
      .update(table)
      .set({ ...after, updatedAt: now })
      .where(where);
    await recordAudit(tx, {
      project,
      action: `${kind}.${mode}`,
      objectType: kind,
      objectName: name,
      before,
      after,
    });
    return { kind, name, ...after };
  });
}

function deprecateOperation(kind: RegistryKind, opName: string) {
  return defineOperation({
    name: opName,
    summary: `Mark a ${labelOf(kind)} deprecated, saying why and optionally what replaces it; it keeps working.`,
    kind: "mutation",
    access: "definitions.write",
    input: DeprecateInput,
    output: DeprecationState,
    run: ({ ctx, input, project }) =>
      writeDeprecation(ctx, project, kind, input.name, "deprecate", async (tx, before, now) => {
        if (input.replacedBy) await checkReplacement(tx, project, kind, input.name, input.replacedBy);
        // Deprecating again keeps the first date; note and replacement are replaced.
        return {
          deprecatedAt: before.deprecatedAt ?? now,
          deprecationNote: input.note,
          replacedBy: input.replacedBy ?? null,
        };
      }),
  });
}

function undeprecateOperation(kind: RegistryKind, opName: string) {
  return defineOperation({
    name: opName,
    summary: `Clear a ${labelOf(kind)}'s deprecation.`,
    kind: "mutation",
    access: "definitions.write",
    input: UndeprecateInput,
    output: DeprecationState,
    run: ({ ctx, input, project }) =>
      writeDeprecation(ctx, project, kind, input.name, "undeprecate", async () => ({
        deprecatedAt: null,
        deprecationNote: "",
        replacedBy: null,
      })),
  });
}

export const deprecateEntityOp = deprecateOperation("entity", "entities.deprecate");
export const undeprecateEntityOp = undeprecateOperation("entity", "entities.undeprecate");
export const deprecateDataSourceOp = deprecateOperation("data_source", "sources.deprecate");
export const undeprecateDataSourceOp = undeprecateOperation("data_source", "sources.undeprecate");
export const deprecateFeatureViewOp = deprecateOperation("feature_view", "featureViews.deprecate");
export const undeprecateFeatureViewOp = undeprecateOperation("feature_view", "featureViews.undeprecate");
export const deprecateFeatureServiceOp = deprecateOperation("feature_service", "featureServices.deprecate");
export const undeprecateFeatureServiceOp = undeprecateOperation(
  "feature_service",
  "featureServices.undeprecate",
);
export const deprecateConsumerOp = deprecateOperation("consumer", "consumers.deprecate");
export const undeprecateConsumerOp = undeprecateOperation("consumer", "consumers.undeprecate");
export const deprecateDatasetOp = deprecateOperation("dataset", "datasets.deprecate");
export const undeprecateDatasetOp = undeprecateOperation("dataset", "datasets.undeprecate");
