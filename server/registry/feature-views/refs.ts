import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import type { Ctx } from "../../core/context";
import { InvalidError } from "../../core/errors";
import { VALUE_TYPES, type ValueType } from "../../core/vocabulary";
import { dataSources, entities, features, featureViewEntities } from "../../db/schema";
import { checkSourceColumns, sourceColumnOf } from "../../offline";
import type { FeatureViewSpec } from "../schemas";
import { checkColumnType, checkCsvColumnType, dtypesAccepting } from "../type-compatibility";

export type EntityRow = typeof entities.$inferSelect;
export type DataSourceRow = typeof dataSources.$inferSelect;

/** Resolves a spec's source and entities by name; a missing one is refused naming the field. */
export async function resolveReferences(ctx: Ctx, projectId: string, spec: FeatureViewSpec) {
  const [source] = await ctx.db
    .select()
    .from(dataSources)
    .where(and(eq(dataSources.projectId, projectId), eq(dataSources.name, spec.source)))
    .limit(1);
  if (!source) throw new InvalidError(`source: data source "${spec.source}" does not exist`, "source");

  const rows = await ctx.db
    .select()
    .from(entities)
    .where(and(eq(entities.projectId, projectId), inArray(entities.name, spec.entities)));
  const byName = new Map(rows.map((r) => [r.name, r]));
  const ordered = spec.entities.map((name, i) => {
    const row = byName.get(name);
    if (!row) throw new InvalidError(`entities.${i}: entity "${name}" does not exist`, `entities.${i}`);
    return row;
  });

  const joinKeys = new Set(ordered.map((e) => e.joinKey));
  spec.fields.forEach((f, i) => {
    if (joinKeys.has(f.name))
      throw new InvalidError(
        `fields.${i}.name: "${f.name}" is a join key of the view's entities and cannot be a feature`,
        `fields.${i}.name`,
      );
  });
  return { source, entities: ordered };
}

/** Rewrites the rows derived from the current spec: entity links and the searchable feature catalog. */
export async function writeDerivedRows(
  ctx: Ctx,
  view: { id: string; projectId: string },
  spec: FeatureViewSpec,
  resolvedEntities: EntityRow[],
): Promise<void> {
  await ctx.db.delete(featureViewEntities).where(eq(featureViewEntities.featureViewId, view.id));
  await ctx.db
    .insert(featureViewEntities)
    .values(resolvedEntities.map((e, position) => ({ featureViewId: view.id, entityId: e.id, position })));

  await ctx.db.delete(features).where(eq(features.featureViewId, view.id));
  await ctx.db.insert(features).values(
    spec.fields.map((f, position) => {
      const tags = { ...spec.tags, ...f.tags };
      return {
        projectId: view.projectId,
        featureViewId: view.id,
        viewName: spec.name,
        name: f.name,
        dtype: f.dtype,
        description: f.description,
        tags,
        tagPairs: Object.entries(tags).map(([k, v]) => `${k}:${v}`),
        owner: spec.owner,
        entityNames: spec.entities,
        position,
      };
    }),
  );
}

/** The head columns copied from a spec. */
export function headColumns(spec: FeatureViewSpec, sourceId: string) {
  return {
    description: spec.description,
    tags: spec.tags,
    owner: spec.owner,
    sourceId,
    ttlSeconds: spec.ttlSeconds,
    online: spec.online,
    freshnessSlaSeconds: spec.freshnessSlaSeconds,
  };
}

/** How one field's (or join key's) declared type meets its source column (featureViews.plan shows it). */
export interface FieldTypeCheck {
  field: string;
  /** The source column feeding it (after the source's field mapping). */
  column: string;
  dtype: ValueType;
  columnType: string;
  match: "exact" | "safe_cast";
  /** The cast applied, for a safe cast. */
  cast?: string;
}

/**
 * Checks against the offline store that the source has the spec's timestamp, join key and field
 * columns, so a typo is refused at registration rather than failing the first materialization,
 * and that each field's declared dtype (and each join key's entity value type) can be read from
 * its column's type exactly or through a safe cast (type-compatibility.ts); a mismatch is refused
 * naming the field, the column's type and the types it could be declared as.
 * Runs on its own connection, outside the caller's transaction. Answers each field's type check.
 */
export async function checkSpecAgainstSource(
  ctx: Ctx,
  project: string,
  source: DataSourceRow,
  spec: FeatureViewSpec,
  resolvedEntities: EntityRow[],
): Promise<FieldTypeCheck[]> {
  const columns = await checkSourceColumns(ctx.offline, project, source, {
    joinKeys: resolvedEntities.map((e) => e.joinKey),
    fields: spec.fields.map((f) => f.name),
  });
  if (columns instanceof InvalidError) {
    const problem = columns;
    const fieldName = /for field "([a-z0-9_]+)"/.exec(problem.message)?.[1];
    const index = spec.fields.findIndex((f) => f.name === fieldName);
    if (index >= 0)
      throw new InvalidError(`fields.${index}.name: ${problem.message}`, `fields.${index}.name`);
    throw new InvalidError(`source: ${problem.message}`, "source");
  }
  const check = source.kind === "file" && source.fileFormat === "csv" ? checkCsvColumnType : checkColumnType;
  const typeOf = (name: string) => {
    const column = sourceColumnOf(source, name);
    return { column, type: columns.get(column)?.type ?? "unknown" };
  };
  resolvedEntities.forEach((e, i) => {
    const { column, type } = typeOf(e.joinKey);
    const result = check(e.valueType, type);
    if (!result.ok)
      throw new InvalidError(
        `entities.${i}: join key "${e.joinKey}" of entity "${e.name}" is ${e.valueType} but source "${source.name}" has it as ${type} (column "${column}"); a ${e.valueType} join key accepts ${result.accepted.join(", ")}`,
        `entities.${i}`,
      );
  });
  return spec.fields.map((f, i) => {
    const { column, type } = typeOf(f.name);
    const result = check(f.dtype, type);
    if (!result.ok) {
      const could = dtypesAccepting(type, VALUE_TYPES);
      throw new InvalidError(
        `fields.${i}.dtype: field "${f.name}" is declared ${f.dtype} but its column "${column}" in source "${source.name}" is ${type}; ${could.length > 0 ? `declare it as ${could.join(" or ")}` : "no feature type can read that column"} (${f.dtype} accepts ${result.accepted.join(", ")})`,
        `fields.${i}.dtype`,
      );
    }
    return {
      field: f.name,
      column,
      dtype: f.dtype,
      columnType: type,
      match: result.match,
      ...(result.match === "safe_cast" ? { cast: result.cast } : {}),
    };
  });
}
