import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { authorize } from "../auth/authorize";
import { type Ctx, inTransaction } from "../core/context";
import { NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { parseInput } from "../core/parse-input";
import { uniquely } from "../core/unique";
import { dataSources } from "../db/schema";
import { admitSource } from "../offline";
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
    createdTimestampField: data.createdTimestampField ?? null,
  };
}

/**
 * A source must keep the offline rules before it is stored: a table in the project's offline
 * space, or a query that passes the sandbox (and query sources switched on). admitSource checks
 * them again before every statement.
 */
async function admit(ctx: Ctx, project: string, data: z.infer<typeof DataSourceInput>): Promise<void> {
  await admitSource(ctx.offline, project, columnsOf(data));
}

export async function createDataSource({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: z.input<typeof CreateDataSourceInput>;
}) {
  const { project, ...data } = parseInput(CreateDataSourceInput, input);
  const p = await authorize(ctx, project, "definitions.write");
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
}

export async function updateDataSource({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: z.input<typeof CreateDataSourceInput>;
}) {
  const { project, ...data } = parseInput(CreateDataSourceInput, input);
  const p = await authorize(ctx, project, "definitions.write");
  const current = await getDataSource({ ctx, input: { project, name: data.name } });
  await admit(ctx, p.name, data);
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
}

export async function getDataSource({ ctx, input }: { ctx: Ctx; input: z.input<typeof GetDataSourceInput> }) {
  const { project, name } = parseInput(GetDataSourceInput, input);
  const p = await authorize(ctx, project, "definitions.read");
  const [row] = await ctx.db
    .select()
    .from(dataSources)
    .where(and(eq(dataSources.projectId, p.id), eq(dataSources.name, name)))
    .limit(1);
  if (!row) throw new NotFoundError(`data source "${name}" not found in project "${project}"`, "name");
  return row;
}

export async function listDataSources({ ctx, input }: { ctx: Ctx; input: z.input<typeof Scoped> }) {
  const { project } = parseInput(Scoped, input);
  const p = await authorize(ctx, project, "definitions.read");
  return ctx.db
    .select()
    .from(dataSources)
    .where(eq(dataSources.projectId, p.id))
    .orderBy(asc(dataSources.name));
}
