import "server-only";
import type { Ctx } from "../core/context";
import { InvalidError, isDomainError } from "../core/errors";
import { getFeatureService } from "../registry/feature-services";
import type { JoinKeyType } from "../registry/schemas";
import { EXPECTED, parseJoinKey, show } from "./values";
import { type ServingView, viewsByName } from "./views";

/**
 * What online and historical requests share: resolving "view:feature" references and feature
 * services to answer columns, and checking the entity columns against the views' join keys. A
 * reference to something that does not exist is the request's fault: an InvalidError (400).
 */

export const FEATURE_REF = /^([a-z][a-z0-9_]{0,62}):([a-z][a-z0-9_]{0,62})$/;

/** A "view:feature" the request names; `feature` is "*" for a service's whole-view projection. */
export interface Ref {
  view: string;
  feature: string;
  /** Where the reference came from, for messages. */
  field: string;
  label: string;
}

/** One requested feature, in answer order. */
export interface OutColumn {
  view: ServingView;
  feature: string;
  name: string;
  label: string;
}

/** Columns of equal, non-zero length within the row limit; returns the row count. */
export function checkEntityShape(
  entities: Record<string, unknown[]>,
  maxRows: number,
  /** The setting that changes the limit, named in the refusal. */
  setting?: string,
): number {
  const names = Object.keys(entities);
  const first = names[0];
  if (first === undefined) throw new InvalidError("entities must not be empty", "entities");
  const rows = entities[first]?.length ?? 0;
  for (const name of names) {
    const length = entities[name]?.length ?? 0;
    if (length !== rows)
      throw new InvalidError(
        `entities.${name}: has ${length} values but entities.${first} has ${rows}; every entity column needs the same length`,
        `entities.${name}`,
      );
  }
  if (rows === 0) throw new InvalidError("entities must not be empty", "entities");
  if (rows > maxRows)
    throw new InvalidError(
      `batch too large: ${rows} rows, limit ${maxRows}${setting ? ` (${setting})` : ""}`,
      "entities",
    );
  return rows;
}

export function featureRefs(features: string[]): Ref[] {
  return features.map((ref, i) => {
    const m = FEATURE_REF.exec(ref);
    if (!m)
      throw new InvalidError(
        `features.${i}: ${show(ref)} is not a "view:feature" reference`,
        `features.${i}`,
      );
    return { view: m[1] ?? "", feature: m[2] ?? "", field: `features.${i}`, label: ref };
  });
}

export async function serviceRefs(
  ctx: Ctx,
  project: { id: string; name: string },
  name: string,
): Promise<Ref[]> {
  const notFound = () =>
    new InvalidError(`feature service "${name}" not found in project "${project.name}"`, "feature_service");
  let projections: { view: string; featureNames: string[] }[];
  if (ctx.registry) {
    // The caller passed the gate for values.read in this project, which includes definitions.read.
    const held = await ctx.registry.serviceProjections(project.id, name);
    if (!held) throw notFound();
    projections = held;
  } else {
    try {
      projections = (await getFeatureService({ ctx, input: { project: project.name, name } })).projections;
    } catch (e) {
      if (isDomainError(e) && e.code === "NOT_FOUND") throw notFound();
      throw e;
    }
  }
  return projections.flatMap((p) =>
    p.featureNames.map((feature) => ({
      view: p.view,
      feature,
      field: "feature_service",
      label: `${p.view}:${feature} (of feature service "${name}")`,
    })),
  );
}

export async function resolveColumns(
  ctx: Ctx,
  project: { id: string; name: string },
  refs: Ref[],
  fullNames: boolean,
  opts: { online: boolean },
): Promise<OutColumn[]> {
  const views = await viewsByName(ctx, project.id, [...new Set(refs.map((r) => r.view))]);
  const columns: OutColumn[] = [];
  const seen = new Set<string>();
  for (const ref of refs) {
    const view = views.get(ref.view);
    if (!view)
      throw new InvalidError(
        `${ref.field}: feature view "${ref.view}" not found in project "${project.name}"`,
        ref.field,
      );
    if (opts.online && !view.spec.online)
      throw new InvalidError(`${ref.field}: feature view "${ref.view}" is not served online`, ref.field);
    const fields = fieldNamesOf(view);
    const names = ref.feature === "*" ? [...fields] : [ref.feature];
    for (const feature of names) {
      if (!fields.has(feature))
        throw new InvalidError(
          `${ref.field}: feature view "${ref.view}" has no feature "${feature}"`,
          ref.field,
        );
      const label = `${view.name}:${feature}`;
      if (seen.has(label))
        throw new InvalidError(`${ref.field}: feature "${label}" is requested twice`, ref.field);
      seen.add(label);
      columns.push({ view, feature, name: fullNames ? `${view.name}__${feature}` : feature, label });
    }
  }
  return columns;
}

/** A view's feature names in spec order, computed once per (cached) view. */
const fieldNames = new WeakMap<ServingView, Set<string>>();
function fieldNamesOf(view: ServingView): Set<string> {
  let names = fieldNames.get(view);
  if (!names) {
    names = new Set(view.spec.fields.map((f) => f.name));
    fieldNames.set(view, names);
  }
  return names;
}

/** Two answer columns with one name would be ambiguous: Feast refuses, and so do we. */
export function checkNameClashes(columns: Pick<OutColumn, "name" | "label">[], joinKeyNames: string[]) {
  const byName = new Map<string, Pick<OutColumn, "label"> | string>(joinKeyNames.map((k) => [k, k]));
  for (const c of columns) {
    const other = byName.get(c.name);
    if (other !== undefined) {
      const what = typeof other === "string" ? `join key "${other}"` : `feature "${other.label}"`;
      throw new InvalidError(
        `feature "${c.label}" and ${what} would both be named "${c.name}" in the answer: set full_feature_names to true`,
        "full_feature_names",
      );
    }
    byName.set(c.name, c);
  }
}

/**
 * Checks the entity columns against the join keys the views need (none missing, none unknown) and
 * returns each join key's values in entity-key form.
 */
export function parseEntities(
  entities: Record<string, unknown[]>,
  views: ServingView[],
): Map<string, (string | number)[]> {
  const needed = new Map<string, { type: JoinKeyType; view: string }>();
  for (const v of views)
    for (const k of v.joinKeys)
      if (!needed.has(k.name)) needed.set(k.name, { type: k.valueType, view: v.name });
  for (const [key, { view }] of needed)
    if (!Object.hasOwn(entities, key))
      throw new InvalidError(
        `entities: join key "${key}" is missing; feature view "${view}" needs it`,
        `entities.${key}`,
      );
  const parsed = new Map<string, (string | number)[]>();
  for (const [name, values] of Object.entries(entities)) {
    const need = needed.get(name);
    if (!need)
      throw new InvalidError(
        `entities.${name}: "${name}" is not a join key of the requested feature views (they use ${[...needed.keys()].map((k) => `"${k}"`).join(", ")})`,
        `entities.${name}`,
      );
    parsed.set(
      name,
      values.map((v, i) => {
        const key = parseJoinKey(v, need.type);
        if (key === undefined)
          throw new InvalidError(
            `entities.${name}[${i}]: expected ${EXPECTED[need.type]}, got ${show(v)}`,
            `entities.${name}.${i}`,
          );
        return key;
      }),
    );
  }
  return parsed;
}
