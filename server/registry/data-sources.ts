import { and, asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Ctx } from "../context";
import { dataSources } from "../db/schema";
import { NotFoundError } from "../errors";
import { parseInput } from "./parse";
import { requireProject } from "./projects";
import { DataSourceInput, Name } from "./schemas";
import { uniquely } from "./unique";

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

export async function createDataSource({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: z.input<typeof CreateDataSourceInput>;
}) {
  const { project, ...data } = parseInput(CreateDataSourceInput, input);
  const p = await requireProject(ctx, project);
  const [row] = await uniquely(`data source "${data.name}"`, () =>
    ctx.db
      .insert(dataSources)
      .values({ ...columnsOf(data), projectId: p.id })
      .returning(),
  );
  return row as DataSourceRow;
}

export async function updateDataSource({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: z.input<typeof CreateDataSourceInput>;
}) {
  const { project, ...data } = parseInput(CreateDataSourceInput, input);
  const current = await getDataSource({ ctx, input: { project, name: data.name } });
  const [row] = await ctx.db
    .update(dataSources)
    .set({ ...columnsOf(data), updatedAt: new Date() })
    .where(eq(dataSources.id, current.id))
    .returning();
  return row as DataSourceRow;
}

export async function getDataSource({ ctx, input }: { ctx: Ctx; input: z.input<typeof GetDataSourceInput> }) {
  const { project, name } = parseInput(GetDataSourceInput, input);
  const p = await requireProject(ctx, project);
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
  const p = await requireProject(ctx, project);
  return ctx.db
    .select()
    .from(dataSources)
    .where(eq(dataSources.projectId, p.id))
    .orderBy(asc(dataSources.name));
}
