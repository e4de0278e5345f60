import "server-only";
import { z } from "zod";
import type { Ctx } from "../core/context";
import { InvalidError, isDomainError } from "../core/errors";
import { Name } from "../core/name";
import { entityKey } from "../online/entity-key";
import type { OnlineRecord } from "../online/types";
import { defineOperation } from "../operations/define";
import { getFeatureService } from "../registry/feature-services";
import type { JoinKeyType } from "../registry/schemas";
import { EXPECTED, isoSeconds, parseJoinKey, show } from "./values";
import { type ServingView, viewsByName } from "./views";

/**
 * Online retrieval with Feast's request and response shapes (docs/adr/0006-retrieval-api.md,
 * "get-online-features"). Every view and entity key is read in one online store call.
 */

/** Entity rows per request. */
export const MAX_ROWS = 10_000;
/** Entity rows times requested features per request: bounds the answer's size. */
export const MAX_VALUES = 1_000_000;

export const GetOnlineFeaturesInput = z.object({
  /** "view:feature" references. */
  features: z.array(z.string()).max(10_000).optional(),
  feature_service: Name.optional(),
  /** Join key -> one value per entity row. */
  entities: z.record(z.string(), z.array(z.unknown())),
  full_feature_names: z.boolean().default(false),
  project: Name.optional(),
});
export type GetOnlineFeaturesInput = z.input<typeof GetOnlineFeaturesInput>;

export type FieldStatus = "PRESENT" | "NULL_VALUE" | "NOT_FOUND" | "OUTSIDE_MAX_AGE";

export interface FeatureColumn {
  values: unknown[];
  statuses: FieldStatus[];
  event_timestamps: string[];
}

/** One column per name in metadata.feature_names, join keys first. */
export interface OnlineFeaturesResponse {
  metadata: { feature_names: string[] };
  results: FeatureColumn[];
}

export const EPOCH = "1970-01-01T00:00:00Z";

const FEATURE_REF = /^([a-z][a-z0-9_]{0,62}):([a-z][a-z0-9_]{0,62})$/;

/** A "view:feature" the request names; `feature` is "*" for a service's whole-view projection. */
interface Ref {
  view: string;
  feature: string;
  /** Where the reference came from, for messages. */
  field: string;
  label: string;
}

/** One requested feature, in answer order. */
interface OutColumn {
  view: ServingView;
  feature: string;
  name: string;
  label: string;
}

const FieldStatusSchema = z.enum(["PRESENT", "NULL_VALUE", "NOT_FOUND", "OUTSIDE_MAX_AGE"]);

/** Feast's columnar answer: one result per name in metadata.feature_names. */
export const OnlineFeaturesResponse = z.object({
  metadata: z.object({ feature_names: z.array(z.string()) }),
  results: z.array(
    z.object({
      values: z.array(z.unknown()),
      statuses: z.array(FieldStatusSchema),
      event_timestamps: z.array(z.string()),
    }),
  ),
});

export const getOnlineFeaturesOp = defineOperation({
  name: "serving.getOnlineFeatures",
  summary: "Feast's get-online-features: the latest values of features for a batch of entity rows.",
  kind: "query",
  access: "values.read",
  project: "defaulted",
  input: GetOnlineFeaturesInput,
  output: OnlineFeaturesResponse,
  doors: ["rest"],
  // The answer is built value by value from typed columns; re-checking up to a million values per
  // request would cost more than the lookup itself.
  rest: { path: "/api/v1/get-online-features", outputChecked: false },
  run: ({ ctx, input, project }) => getOnline(ctx, project, input),
});
export const getOnlineFeatures = getOnlineFeaturesOp.call;

async function getOnline(
  ctx: Ctx,
  project: { id: string; name: string },
  req: z.output<typeof GetOnlineFeaturesInput>,
): Promise<OnlineFeaturesResponse> {
  if (req.features && req.feature_service !== undefined)
    throw new InvalidError('give either "features" or "feature_service", not both', "features");
  if (!req.features && req.feature_service === undefined)
    throw new InvalidError('one of "features" or "feature_service" is required', "features");
  if (req.features?.length === 0) throw new InvalidError("features must not be empty", "features");
  const rowCount = checkEntityShape(req.entities);

  const refs = req.features
    ? featureRefs(req.features)
    : await serviceRefs(ctx, project.name, req.feature_service ?? "");
  const columns = await resolveColumns(ctx, project, refs, req.full_feature_names);
  const views = [...new Set(columns.map((c) => c.view))];

  const joinKeyNames = Object.keys(req.entities);
  checkNameClashes(columns, joinKeyNames);
  if (rowCount * columns.length > MAX_VALUES)
    throw new InvalidError(
      `batch too large: ${rowCount} rows x ${columns.length} features, limit ${MAX_VALUES} values`,
      "entities",
    );
  const keyValues = parseEntities(req.entities, views);

  // Views keyed by the same join keys share their entity keys; the store gets the union once.
  const keys: string[] = [];
  const keyIndex = new Map<string, number>();
  const rowKeysBySignature = new Map<string, number[]>();
  const rowKeysOf = (view: ServingView): number[] => {
    const names = view.joinKeys.map((k) => k.name).sort();
    const signature = names.join(",");
    let rowKeys = rowKeysBySignature.get(signature);
    if (!rowKeys) {
      rowKeys = [];
      for (let i = 0; i < rowCount; i++) {
        const key = entityKey(Object.fromEntries(names.map((n) => [n, keyValues.get(n)?.[i] ?? ""])));
        let idx = keyIndex.get(key);
        if (idx === undefined) {
          idx = keys.length;
          keys.push(key);
          keyIndex.set(key, idx);
        }
        rowKeys.push(idx);
      }
      rowKeysBySignature.set(signature, rowKeys);
    }
    return rowKeys;
  };
  const viewRowKeys = views.map(rowKeysOf);

  const records = await ctx.online.read(
    project.name,
    views.map((v) => ({
      featureView: v.name,
      features: columns.filter((c) => c.view === v).map((c) => c.feature),
    })),
    keys,
  );

  const now = Date.now();
  const results: FeatureColumn[] = joinKeyNames.map((name) => ({
    values: req.entities[name] ?? [],
    statuses: new Array<FieldStatus>(rowCount).fill("PRESENT"),
    event_timestamps: new Array<string>(rowCount).fill(EPOCH),
  }));
  for (const c of columns) {
    const v = views.indexOf(c.view);
    const stored = records[v] ?? [];
    const rowKeys = viewRowKeys[v] ?? [];
    const ttlMs = c.view.spec.ttlSeconds * 1000;
    const column: FeatureColumn = { values: [], statuses: [], event_timestamps: [] };
    for (let i = 0; i < rowCount; i++) {
      const [value, status, ts] = cell(stored[rowKeys[i] ?? -1] ?? null, c.feature, ttlMs, now);
      column.values.push(value);
      column.statuses.push(status);
      column.event_timestamps.push(ts);
    }
    results.push(column);
  }
  return { metadata: { feature_names: [...joinKeyNames, ...columns.map((c) => c.name)] }, results };
}

/**
 * The status of one value: no row or no such feature in it -> NOT_FOUND; stored null -> NULL_VALUE;
 * older than the view's ttl at read time -> OUTSIDE_MAX_AGE, with a null value, so a caller that
 * ignores statuses never uses an expired value (the point-in-time join gives null there too).
 */
function cell(
  record: OnlineRecord | null,
  feature: string,
  ttlMs: number,
  now: number,
): [unknown, FieldStatus, string] {
  if (!record) return [null, "NOT_FOUND", EPOCH];
  const value = record.values[feature];
  if (value === undefined) return [null, "NOT_FOUND", EPOCH];
  const ts = isoSeconds(record.eventTs);
  if (value === null) return [null, "NULL_VALUE", ts];
  if (ttlMs > 0 && now - record.eventTs.getTime() > ttlMs) return [null, "OUTSIDE_MAX_AGE", ts];
  return [value, "PRESENT", ts];
}

/** Columns of equal, non-zero length within the row limit; returns the row count. */
function checkEntityShape(entities: Record<string, unknown[]>): number {
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
  if (rows > MAX_ROWS) throw new InvalidError(`batch too large: ${rows} rows, limit ${MAX_ROWS}`, "entities");
  return rows;
}

function featureRefs(features: string[]): Ref[] {
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

async function serviceRefs(ctx: Ctx, project: string, name: string): Promise<Ref[]> {
  let service: Awaited<ReturnType<typeof getFeatureService>>;
  try {
    service = await getFeatureService({ ctx, input: { project, name } });
  } catch (e) {
    if (isDomainError(e) && e.code === "NOT_FOUND")
      throw new InvalidError(
        `feature service "${name}" not found in project "${project}"`,
        "feature_service",
      );
    throw e;
  }
  return service.projections.flatMap((p) =>
    p.featureNames.map((feature) => ({
      view: p.view,
      feature,
      field: "feature_service",
      label: `${p.view}:${feature} (of feature service "${name}")`,
    })),
  );
}

async function resolveColumns(
  ctx: Ctx,
  project: { id: string; name: string },
  refs: Ref[],
  fullNames: boolean,
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
    if (!view.spec.online)
      throw new InvalidError(`${ref.field}: feature view "${ref.view}" is not served online`, ref.field);
    const names = ref.feature === "*" ? view.spec.fields.map((f) => f.name) : [ref.feature];
    for (const feature of names) {
      if (!view.spec.fields.some((f) => f.name === feature))
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

/** Two answer columns with one name would be ambiguous: Feast refuses, and so do we. */
function checkNameClashes(columns: OutColumn[], joinKeyNames: string[]) {
  const byName = new Map<string, string>(joinKeyNames.map((k) => [k, `join key "${k}"`]));
  for (const c of columns) {
    const other = byName.get(c.name);
    if (other)
      throw new InvalidError(
        `feature "${c.label}" and ${other} would both be named "${c.name}" in the answer: set full_feature_names to true`,
        "full_feature_names",
      );
    byName.set(c.name, `feature "${c.label}"`);
  }
}

/**
 * Checks the entity columns against the join keys the views need (none missing, none unknown) and
 * returns each join key's values in entity-key form.
 */
function parseEntities(
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
