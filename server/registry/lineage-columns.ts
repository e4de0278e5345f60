import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Ctx } from "../core/context";
import { InvalidError, NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { schema } from "../db/client";
import { defineOperation } from "../operations/define";
import {
  type ColumnLineage,
  type ColumnRegistry,
  featureColumns,
  transformationColumns,
} from "./lineage/columns";

/**
 * lineage.columns: the column-level lineage of one transformation (each output column's source
 * columns and the features reading it) or of one feature of a feature view (its source column,
 * then upstream through transformation chains to the columns everything starts from). Read with
 * four set-based queries, then answered in memory (server/registry/lineage/columns.ts).
 */

export const LineageColumnsInput = z.object({
  project: Name,
  /** `transformation:<name>` or `feature:<view>:<feature>` (a lineage node id). */
  nodeId: z.string().min(1).max(200),
});

const Ref = z.object({ source: z.string(), column: z.string() });
export const LineageColumnsOutput = z.object({
  nodeId: z.string(),
  reads: Ref.nullable(),
  steps: z.array(
    z.object({
      transformation: z.string(),
      output: Ref,
      from: z.array(Ref),
      features: z.array(z.object({ id: z.string(), view: z.string(), name: z.string() })),
    }),
  ),
  origins: z.array(Ref),
});

export const getLineageColumnsOp = defineOperation({
  name: "lineage.columns",
  summary:
    "Column-level lineage from the transformations' parsed SQL: a transformation's output columns with their source columns and the features reading them, or the source columns one feature comes from.",
  kind: "query",
  access: "definitions.read",
  input: LineageColumnsInput,
  output: LineageColumnsOutput,
  run: async ({ ctx, input: { nodeId }, project }): Promise<ColumnLineage> => {
    const [kind, a = "", b = "", ...rest] = nodeId.split(":");
    const isTransformation = kind === "transformation" && a !== "" && b === "";
    const isFeature = kind === "feature" && a !== "" && b !== "" && rest.length === 0;
    if (!isTransformation && !isFeature)
      throw new InvalidError(
        `nodeId: column lineage is answered for "transformation:<name>" and "feature:<view>:<feature>", not "${nodeId.slice(0, 80)}"`,
        "nodeId",
      );
    const registry = await readColumnRegistry(ctx, project.id);
    const answer = isTransformation ? transformationColumns(registry, a) : featureColumns(registry, a, b);
    if (!answer)
      throw new NotFoundError(
        `nodeId: no ${isTransformation ? "transformation" : "feature of a feature view"} "${nodeId}" in project "${project.name}"`,
        "nodeId",
      );
    return answer;
  },
});
export const getLineageColumns = getLineageColumnsOp.call;

async function readColumnRegistry(ctx: Ctx, projectId: string): Promise<ColumnRegistry> {
  const {
    transformations: t,
    transformationVersions: tv,
    dataSources: ds,
    featureViews: fv,
    features: f,
  } = schema;
  const [transformations, sources, views, features] = await Promise.all([
    ctx.db
      .select({ name: t.name, output: ds.name, columns: tv.columns })
      .from(t)
      .innerJoin(ds, eq(ds.id, t.outputSourceId))
      .innerJoin(tv, and(eq(tv.transformationId, t.id), eq(tv.version, t.currentVersion)))
      .where(eq(t.projectId, projectId))
      .orderBy(asc(t.name)),
    ctx.db
      .select({ name: ds.name, fieldMapping: ds.fieldMapping })
      .from(ds)
      .where(eq(ds.projectId, projectId)),
    ctx.db
      .select({ name: fv.name, source: ds.name })
      .from(fv)
      .innerJoin(ds, eq(ds.id, fv.sourceId))
      .where(eq(fv.projectId, projectId))
      .orderBy(asc(fv.name)),
    ctx.db
      .select({ view: f.viewName, name: f.name })
      .from(f)
      .where(eq(f.projectId, projectId))
      .orderBy(asc(f.viewName), asc(f.position)),
  ]);
  const featuresOf = new Map<string, string[]>();
  for (const x of features) featuresOf.set(x.view, [...(featuresOf.get(x.view) ?? []), x.name]);
  return {
    transformations,
    fieldMappings: new Map(sources.map((s) => [s.name, s.fieldMapping])),
    views: views.map((v) => ({ ...v, features: featuresOf.get(v.name) ?? [] })),
  };
}
