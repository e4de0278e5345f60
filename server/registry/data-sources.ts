import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import type { ProjectRow } from "../auth/authorize";
import { type Ctx, inTransaction } from "../core/context";
import { ConflictError, InvalidError, NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { uniquely } from "../core/unique";
import { dataSources, featureViews, transformations } from "../db/schema";
import { admitSource, checkSourceDefinition } from "../offline";
import { defineOperation } from "../operations/define";
import { checkSpecAgainstSource, resolveReferences } from "./feature-views/refs";
import { currentSpecs } from "./feature-views/spec-store";
import * as out from "./outputs";
import { DataSourceInput } from "./schemas";

export type DataSourceRow = typeof dataSources.$inferSelect;

const Scoped = z.object({ project: Name });
export const CreateDataSourceInput = z.intersection(Scoped, DataSourceInput);
export const GetDataSourceInput = Scoped.extend({ name: Name });

function columnsOf(data: z.infer<typeof DataSourceInput>) {
  return {
    ...data,
    tableName: data.kind === "table" ? (data.tableName ?? null) : null,
    query: data.kind === "query" ? (data.query ?? null) : null,
    path: data.kind === "file" ? (data.path ?? null) : null,
    fileFormat: data.kind === "file" ? (data.fileFormat ?? null) : null,
    createdTimestampField: data.createdTimestampField ?? null,
  };
}

/**
 * A source must keep the offline rules before it is stored: a table in the project's offline
 * space, a query that passes the sandbox (and query sources switched on), or a plain file inside
 * the project's file area. admitSource checks them again before every statement. Then its columns
 * are read (a table or query with LIMIT 0 as the project's reader within the probe timeout, a file
 * through DuckDB): it must have the timestamp and created columns, of time types, and every column
 * the field mapping names, so no source is stored that no view could read (docs/adr/0025).
 */
async function admit(ctx: Ctx, project: string, data: z.infer<typeof DataSourceInput>): Promise<void> {
  const source = columnsOf(data);
  await admitSource(ctx.offline, project, source);
  const problem = await checkSourceDefinition(ctx.offline, project, source);
  if (problem) throw problem;
}

export const createDataSourceOp = defineOperation({
  name: "sources.create",
  summary:
    "Register a data source: a table in the project's offline space, a sandboxed query, or a Parquet or CSV file of its file area.",
  kind: "mutation",
  access: "definitions.write",
  input: CreateDataSourceInput,
  output: out.DataSource,
  run: async ({ ctx, input: { project, ...data }, project: p }) => {
    await admit(ctx, p.name, data);
    return inTransaction(ctx, async (tx) => {
      const [row] = await uniquely(`data source "${data.name}"`, () =>
        tx.db
          .insert(dataSources)
          .values({ ...columnsOf(data), projectId: p.id })
          .returning(),
      );
      await recordAudit(tx, {
        project: p,
        action: "data_source.create",
        objectType: "data_source",
        objectName: data.name,
        after: columnsOf(data),
      });
      return row as DataSourceRow;
    });
  },
});
export const createDataSource = createDataSourceOp.call;

/**
 * A changed source must still feed every view that reads it: each view's current spec is checked
 * against the new definition as registration checks it (columns, time types, dtypes). A view it
 * would break is a 409 naming the view and what breaks.
 */
async function checkViewsReading(ctx: Ctx, p: ProjectRow, next: DataSourceRow): Promise<void> {
  const views = await currentSpecs(ctx.db, p.id, eq(featureViews.sourceId, next.id));
  for (const view of views) {
    const refs = await resolveReferences(ctx, p.id, view.spec);
    try {
      await checkSpecAgainstSource(ctx, p.name, next, view.spec, refs.entities);
    } catch (e) {
      if (!(e instanceof InvalidError)) throw e;
      throw new ConflictError(
        `data source "${next.name}" is read by feature view "${view.name}", which this change would break: ${e.message}`,
        "name",
      );
    }
  }
}

export const updateDataSourceOp = defineOperation({
  name: "sources.update",
  summary: "Replace a data source's definition.",
  kind: "mutation",
  access: "definitions.write",
  input: CreateDataSourceInput,
  output: out.DataSource,
  run: async ({ ctx, input: { project, ...data }, project: p }) => {
    const current = await getDataSource({ ctx, input: { project, name: data.name } });
    const [owner] = await ctx.db
      .select({ name: transformations.name })
      .from(transformations)
      .where(eq(transformations.outputSourceId, current.id));
    if (owner)
      throw new ConflictError(
        `data source "${data.name}" is the output of transformation "${owner.name}"; change the transformation instead`,
        "name",
      );
    await admit(ctx, p.name, data);
    await checkViewsReading(ctx, p, { ...current, ...columnsOf(data) });
    return inTransaction(ctx, async (tx) => {
      const [row] = await tx.db
        .update(dataSources)
        .set({ ...columnsOf(data), updatedAt: new Date() })
        .where(eq(dataSources.id, current.id))
        .returning();
      await recordAudit(tx, {
        project: p,
        action: "data_source.update",
        objectType: "data_source",
        objectName: data.name,
        before: current,
        after: row,
      });
      return row as DataSourceRow;
    });
  },
});
export const updateDataSource = updateDataSourceOp.call;

export const getDataSourceOp = defineOperation({
  name: "sources.get",
  summary: "One data source by name.",
  kind: "query",
  access: "definitions.read",
  input: GetDataSourceInput,
  output: out.DataSource,
  run: async ({ ctx, input: { project, name }, project: p }) => {
    const [row] = await ctx.db
      .select()
      .from(dataSources)
      .where(and(eq(dataSources.projectId, p.id), eq(dataSources.name, name)))
      .limit(1);
    if (!row) throw new NotFoundError(`data source "${name}" not found in project "${project}"`, "name");
    return row;
  },
});
export const getDataSource = getDataSourceOp.call;

export const listDataSourcesOp = defineOperation({
  name: "sources.list",
  summary: "A project's data sources, by name.",
  kind: "query",
  access: "definitions.read",
  input: Scoped,
  output: z.array(out.DataSource),
  run: async ({ ctx, project: p }) => {
    return ctx.db
      .select()
      .from(dataSources)
      .where(eq(dataSources.projectId, p.id))
      .orderBy(asc(dataSources.name));
  },
});
export const listDataSources = listDataSourcesOp.call;
