import "server-only";
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import type { ProjectRow } from "../auth/authorize";
import { type Ctx, inTransaction } from "../core/context";
import { ConflictError, InvalidError, NotFoundError } from "../core/errors";
import { uniquely } from "../core/unique";
import { ACTIVE_RUN_STATUSES } from "../core/vocabulary";
import {
  dataSources,
  featureViews,
  type TransformationColumn,
  transformationRuns,
  transformations,
  transformationVersions,
} from "../db/schema";
import type { SourceDef } from "../offline/source-query";
import { defineOperation } from "../operations/define";
import { resolveReferences } from "../registry/feature-views/refs";
import { currentSpecs } from "../registry/feature-views/spec-store";
import { checkColumnType } from "../registry/type-compatibility";
import {
  createOutputTable,
  dropOutputTable,
  type Inspection,
  inspectTransformation,
  previewTransformation,
} from "./engine";
import { shapeRun } from "./runs";
import {
  CreateTransformationInput,
  DeletedTransformation,
  DiffTransformationInput,
  GetTransformationInput,
  PreviewTransformationInput,
  Transformation,
  TransformationDiff,
  TransformationListItem,
  TransformationName,
  TransformationPreview,
  type TransformationSpec,
  TransformationVersionRow,
  UpdateTransformationInput,
} from "./schemas";

/**
 * Transformations in the registry (docs/adr/0035-batch-transformations.md): a head, immutable
 * versions, and an output table source the transformation owns, created with it in one transaction.
 */

type Head = typeof transformations.$inferSelect;
type Version = typeof transformationVersions.$inferSelect;

/** The project's data sources a transformation may read: every one but its own output. */
async function readableSources(ctx: Ctx, projectId: string, ownOutput?: string): Promise<SourceDef[]> {
  const rows = await ctx.db.select().from(dataSources).where(eq(dataSources.projectId, projectId));
  return rows.filter((r) => r.id !== ownOutput);
}

async function inspect(ctx: Ctx, p: ProjectRow, spec: TransformationSpec, ownOutput?: string) {
  return inspectTransformation(ctx.offline, p.name, spec, await readableSources(ctx, p.id, ownOutput));
}

/** The output table of a transformation: `tx_<name>` in the project's first own schema. */
async function outputTarget(ctx: Ctx, project: string, name: string) {
  const space = await ctx.offline.space(project);
  const schema = space.own[0];
  if (!schema) throw new InvalidError("the project has no offline schema of its own", "project");
  // Postgres cuts identifiers at 63 bytes; cut here, so the name stored is the table's real name.
  return { schema, table: `tx_${name}`.slice(0, 63) };
}

function splitTable(outputTable: string): { schema: string; table: string } {
  const [schema = "", table = ""] = outputTable.split(".");
  return { schema, table };
}

function versionRow(spec: TransformationSpec, i: Inspection, createdBy: string) {
  return {
    sql: i.sql,
    eventTimestampColumn: spec.eventTimestampColumn,
    description: spec.description,
    tags: spec.tags,
    owner: spec.owner,
    engine: i.engine,
    sources: i.sources,
    columns: i.columns as TransformationColumn[],
    notIncremental: i.notIncremental,
    createdBy,
  };
}

function shape(head: Head, v: Version, outputSource: string): Transformation {
  return {
    id: head.id,
    name: head.name,
    description: v.description,
    tags: v.tags,
    owner: v.owner,
    currentVersion: head.currentVersion,
    version: v.version,
    sql: v.sql,
    eventTimestampColumn: v.eventTimestampColumn,
    engine: v.engine,
    sources: v.sources,
    columns: v.columns,
    incremental: v.notIncremental.length === 0,
    notIncremental: v.notIncremental,
    outputSource,
    outputTable: head.outputTable,
    computedUntil: head.computedUntil,
    createdAt: head.createdAt,
    updatedAt: head.updatedAt,
  };
}

function actorName(ctx: Ctx): string {
  const a = ctx.actor;
  return a.kind === "anonymous" ? "anonymous" : a.name;
}

export const createTransformationOp = defineOperation({
  name: "transformations.create",
  summary:
    "Register a batch SQL transformation over the project's sources, with its output table source (version 1).",
  kind: "mutation",
  access: "definitions.write",
  input: CreateTransformationInput,
  output: Transformation,
  run: async ({ ctx, input: { spec }, project: p }) => {
    const [taken] = await ctx.db
      .select({ id: dataSources.id })
      .from(dataSources)
      .where(and(eq(dataSources.projectId, p.id), eq(dataSources.name, spec.name)));
    if (taken)
      throw new ConflictError(
        `name: a data source "${spec.name}" exists already; a transformation's output source takes its name`,
        "name",
      );
    const i = await inspect(ctx, p, spec);
    const target = await outputTarget(ctx, p.name, spec.name);
    await createOutputTable(ctx.offline, p.name, target, i.columns);
    try {
      return await inTransaction(ctx, async (tx) => {
        const [source] = await uniquely(`data source "${spec.name}"`, () =>
          tx.db
            .insert(dataSources)
            .values({
              projectId: p.id,
              name: spec.name,
              kind: "table",
              tableName: `${target.schema}.${target.table}`,
              timestampField: spec.eventTimestampColumn,
              description: spec.description || `Output of transformation "${spec.name}".`,
              tags: spec.tags,
              owner: spec.owner,
            })
            .returning(),
        );
        if (!source) throw new Error("no source row returned");
        const [head] = await uniquely(`transformation "${spec.name}"`, () =>
          tx.db
            .insert(transformations)
            .values({
              projectId: p.id,
              name: spec.name,
              description: spec.description,
              tags: spec.tags,
              owner: spec.owner,
              currentVersion: 1,
              outputSourceId: source.id,
              outputTable: `${target.schema}.${target.table}`,
            })
            .returning(),
        );
        if (!head) throw new Error("no transformation row returned");
        const [v] = await tx.db
          .insert(transformationVersions)
          .values({ transformationId: head.id, version: 1, ...versionRow(spec, i, actorName(ctx)) })
          .returning();
        await recordAudit(tx, {
          project: p,
          action: "transformation.create",
          objectType: "transformation",
          objectName: spec.name,
          after: { ...spec, columns: i.columns.map((c) => `${c.name} ${c.columnType}`) },
        });
        return shape(head, v as Version, source.name);
      });
    } catch (e) {
      // The registry refused: the empty table made for it goes too.
      await dropOutputTable(ctx.offline, p.name, target).catch(() => {});
      throw e;
    }
  },
});
export const createTransformation = createTransformationOp.call;

async function headOf(ctx: Ctx, p: ProjectRow, name: string, lock = false): Promise<Head> {
  const q = ctx.db
    .select()
    .from(transformations)
    .where(and(eq(transformations.projectId, p.id), eq(transformations.name, name)));
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw new NotFoundError(`transformation "${name}" not found in project "${p.name}"`, "name");
  return row;
}

async function versionOf(ctx: Ctx, head: Head, version = head.currentVersion): Promise<Version> {
  const [v] = await ctx.db
    .select()
    .from(transformationVersions)
    .where(
      and(eq(transformationVersions.transformationId, head.id), eq(transformationVersions.version, version)),
    );
  if (!v) throw new NotFoundError(`transformation "${head.name}" has no version ${version}`, "version");
  return v;
}

async function outputSourceName(ctx: Ctx, head: Head): Promise<string> {
  const [s] = await ctx.db
    .select({ name: dataSources.name })
    .from(dataSources)
    .where(eq(dataSources.id, head.outputSourceId));
  return s?.name ?? head.name;
}

/**
 * A new version must still feed every feature view that reads its output: each view's join keys
 * and fields must be output columns whose types the view's declared types accept. A view it would
 * break is a 409 naming the view and the column.
 */
async function checkViewsReading(ctx: Ctx, p: ProjectRow, head: Head, columns: TransformationColumn[]) {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const views = await currentSpecs(ctx.db, p.id, eq(featureViews.sourceId, head.outputSourceId));
  const [source] = await ctx.db.select().from(dataSources).where(eq(dataSources.id, head.outputSourceId));
  const mapped = (name: string) =>
    Object.entries(source?.fieldMapping ?? {}).find(([, to]) => to === name)?.[0] ?? name;
  for (const view of views) {
    const refs = await resolveReferences(ctx, p.id, view.spec);
    const needs = [
      ...refs.entities.map((e) => ({ name: e.joinKey, dtype: null })),
      ...view.spec.fields.map((f) => ({ name: f.name, dtype: f.dtype })),
    ];
    for (const need of needs) {
      const column = byName.get(mapped(need.name));
      const problem = !column
        ? `it has no output column "${mapped(need.name)}"`
        : need.dtype && !checkColumnType(need.dtype, column.columnType).ok
          ? `output column "${column.name}" becomes ${column.columnType}, which ${need.dtype} does not accept`
          : null;
      if (problem)
        throw new ConflictError(
          `feature view "${view.name}" reads transformation "${head.name}"'s output, which this version would break: ${problem}`,
          "spec.sql",
        );
    }
  }
}

export const updateTransformationOp = defineOperation({
  name: "transformations.update",
  summary:
    "Write a new version of a transformation; refused if a feature view reads an output column it drops or retypes. The next run must be a full refresh when the columns change.",
  kind: "mutation",
  access: "definitions.write",
  input: UpdateTransformationInput,
  output: Transformation,
  run: async ({ ctx, input: { spec, version }, project: p }) => {
    const current = await headOf(ctx, p, spec.name);
    const i = await inspect(ctx, p, spec, current.outputSourceId);
    return inTransaction(ctx, async (tx) => {
      const head = await headOf(tx, p, spec.name, true);
      if (head.currentVersion !== version)
        throw new ConflictError(
          `version: transformation "${spec.name}" is at version ${head.currentVersion}, not ${version}; reload and edit the current version`,
          "version",
        );
      const columns = i.columns as TransformationColumn[];
      await checkViewsReading(tx, p, head, columns);
      const before = await versionOf(tx, head);
      const next = head.currentVersion + 1;
      const [v] = await tx.db
        .insert(transformationVersions)
        .values({ transformationId: head.id, version: next, ...versionRow(spec, i, actorName(ctx)) })
        .returning();
      const [updated] = await tx.db
        .update(transformations)
        .set({
          currentVersion: next,
          description: spec.description,
          tags: spec.tags,
          owner: spec.owner,
          updatedAt: new Date(),
        })
        .where(eq(transformations.id, head.id))
        .returning();
      await tx.db
        .update(dataSources)
        .set({ timestampField: spec.eventTimestampColumn, updatedAt: new Date() })
        .where(eq(dataSources.id, head.outputSourceId));
      await recordAudit(tx, {
        project: p,
        action: "transformation.update",
        objectType: "transformation",
        objectName: spec.name,
        before: {
          version: before.version,
          sql: before.sql,
          eventTimestampColumn: before.eventTimestampColumn,
        },
        after: { version: next, sql: i.sql, eventTimestampColumn: spec.eventTimestampColumn },
      });
      return shape(updated as Head, v as Version, await outputSourceName(tx, head));
    });
  },
});
export const updateTransformation = updateTransformationOp.call;

export const getTransformationOp = defineOperation({
  name: "transformations.get",
  summary:
    "One transformation: its current (or a given) version's SQL, output columns with their column lineage, engine, incremental rule and watermark.",
  kind: "query",
  access: "definitions.read",
  input: GetTransformationInput,
  output: Transformation,
  run: async ({ ctx, input: { name, version }, project: p }) => {
    const head = await headOf(ctx, p, name);
    return shape(head, await versionOf(ctx, head, version), await outputSourceName(ctx, head));
  },
});
export const getTransformation = getTransformationOp.call;

export const listTransformationVersionsOp = defineOperation({
  name: "transformations.versions",
  summary: "A transformation's versions, newest first: number, when, by whom.",
  kind: "query",
  access: "definitions.read",
  input: TransformationName,
  output: z.array(TransformationVersionRow),
  run: async ({ ctx, input: { name }, project: p }) => {
    const head = await headOf(ctx, p, name);
    return ctx.db
      .select({
        version: transformationVersions.version,
        createdAt: transformationVersions.createdAt,
        createdBy: transformationVersions.createdBy,
      })
      .from(transformationVersions)
      .where(eq(transformationVersions.transformationId, head.id))
      .orderBy(desc(transformationVersions.version));
  },
});
export const listTransformationVersions = listTransformationVersionsOp.call;

export const listTransformationsOp = defineOperation({
  name: "transformations.list",
  summary: "A project's transformations, by name, at their current versions, each with its latest run.",
  kind: "query",
  doors: ["trpc", "rest", "cli"],
  access: "definitions.read",
  input: z.object({ project: z.string() }),
  output: z.array(TransformationListItem),
  run: async ({ ctx, project: p }) => {
    const rows = await ctx.db
      .select({ head: transformations, v: transformationVersions, source: dataSources.name })
      .from(transformations)
      .innerJoin(
        transformationVersions,
        and(
          eq(transformationVersions.transformationId, transformations.id),
          eq(transformationVersions.version, transformations.currentVersion),
        ),
      )
      .innerJoin(dataSources, eq(dataSources.id, transformations.outputSourceId))
      .where(eq(transformations.projectId, p.id))
      .orderBy(asc(transformations.name));
    // The newest run of each, in one query (served by transformation_runs_transformation_created_idx).
    const latest = await ctx.db
      .selectDistinctOn([transformationRuns.transformationId])
      .from(transformationRuns)
      .where(eq(transformationRuns.projectId, p.id))
      .orderBy(transformationRuns.transformationId, desc(transformationRuns.createdAt));
    const lastRunOf = new Map(latest.map((r) => [r.transformationId, r]));
    return rows.map((r) => {
      const run = lastRunOf.get(r.head.id);
      return { ...shape(r.head, r.v, r.source), lastRun: run ? shapeRun(run, r.head.name) : null };
    });
  },
});
export const listTransformations = listTransformationsOp.call;

export const deleteTransformationOp = defineOperation({
  name: "transformations.delete",
  summary:
    "Delete a transformation no feature view reads and no run is filling, with its versions, runs, output source and output table.",
  kind: "mutation",
  access: "definitions.write",
  input: TransformationName,
  output: DeletedTransformation,
  run: async ({ ctx, input: { name }, project: p }) => {
    const done = await inTransaction(ctx, async (tx) => {
      const head = await headOf(tx, p, name, true);
      const readers = await tx.db
        .select({ name: featureViews.name })
        .from(featureViews)
        .where(eq(featureViews.sourceId, head.outputSourceId))
        .orderBy(asc(featureViews.name));
      if (readers.length > 0)
        throw new ConflictError(
          `transformation "${name}" is used: feature view(s) ${readers.map((r) => `"${r.name}"`).join(", ")} read its output; delete or re-point them first`,
          "name",
        );
      const active = await tx.db
        .select({ id: transformationRuns.id })
        .from(transformationRuns)
        .where(
          and(
            eq(transformationRuns.transformationId, head.id),
            inArray(transformationRuns.status, [...ACTIVE_RUN_STATUSES]),
          ),
        );
      if (active.length > 0)
        throw new ConflictError(
          `transformation "${name}" has a run in progress; wait for it or cancel it`,
          "name",
        );
      const source = await outputSourceName(tx, head);
      await tx.db.delete(transformations).where(eq(transformations.id, head.id));
      await tx.db.delete(dataSources).where(eq(dataSources.id, head.outputSourceId));
      await recordAudit(tx, {
        project: p,
        action: "transformation.delete",
        objectType: "transformation",
        objectName: name,
        before: { outputTable: head.outputTable, currentVersion: head.currentVersion },
      });
      return { head, source };
    });
    // After the commit: a failure here leaves an orphan table, never a transformation without one.
    await dropOutputTable(ctx.offline, p.name, splitTable(done.head.outputTable)).catch((err: unknown) =>
      ctx.log.warn({ err, project: p.name }, "could not drop a deleted transformation's output table"),
    );
    return { name, outputSource: done.source };
  },
});
export const deleteTransformation = deleteTransformationOp.call;

export const PREVIEW_ROWS = 100;

export const previewTransformationOp = defineOperation({
  name: "transformations.preview",
  summary: `The first ${PREVIEW_ROWS} rows of a transformation's SQL (a draft), run in the sandbox within the probe timeout.`,
  kind: "query",
  access: "values.read",
  input: PreviewTransformationInput,
  output: TransformationPreview,
  run: async ({ ctx, input: { sql }, project: p }) =>
    previewTransformation(ctx.offline, p.name, sql, await readableSources(ctx, p.id), PREVIEW_ROWS),
});
export const previewTransformationDraft = previewTransformationOp.call;

/** The transformation owning a data source as its output, if one does (sources.update/delete refuse those). */
export async function owningTransformation(ctx: Ctx, sourceId: string): Promise<string | undefined> {
  const [row] = await ctx.db
    .select({ name: transformations.name })
    .from(transformations)
    .where(eq(transformations.outputSourceId, sourceId));
  return row?.name;
}

export const diffTransformationOp = defineOperation({
  name: "transformations.diff",
  summary:
    "What changed between two versions of a transformation: SQL, event-time column, engine, output columns (added, removed, retyped, new lineage), incremental rule, metadata.",
  kind: "query",
  access: "definitions.read",
  input: DiffTransformationInput,
  output: TransformationDiff,
  run: async ({ ctx, input: { name, from, to }, project: p }) => {
    const head = await headOf(ctx, p, name);
    const [a, b] = [await versionOf(ctx, head, from), await versionOf(ctx, head, to)];
    const before = new Map(a.columns.map((c) => [c.name, c]));
    const after = new Map(b.columns.map((c) => [c.name, c]));
    const lineage = (c: TransformationColumn) =>
      c.from
        .map((f) => `${f.source}.${f.column}`)
        .sort()
        .join(",");
    const changed = <T>(x: T, y: T) => (JSON.stringify(x) === JSON.stringify(y) ? null : { from: x, to: y });
    return {
      name,
      from,
      to,
      sql: { changed: a.sql !== b.sql, from: a.sql, to: b.sql },
      eventTimestampColumn: changed(a.eventTimestampColumn, b.eventTimestampColumn),
      engine: changed<string>(a.engine, b.engine),
      columns: {
        added: b.columns.filter((c) => !before.has(c.name)),
        removed: a.columns.filter((c) => !after.has(c.name)),
        retyped: b.columns.flatMap((c) => {
          const old = before.get(c.name);
          return old && old.columnType !== c.columnType
            ? [{ name: c.name, from: old.columnType, to: c.columnType }]
            : [];
        }),
        relineaged: b.columns
          .filter((c) => {
            const old = before.get(c.name);
            return old !== undefined && lineage(old) !== lineage(c);
          })
          .map((c) => c.name),
      },
      incremental: changed(a.notIncremental.length === 0, b.notIncremental.length === 0),
      metadata: (["description", "tags", "owner"] as const).filter(
        (k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]),
      ),
    };
  },
});
