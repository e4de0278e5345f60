import "server-only";
import { z } from "zod";
import type { Ctx } from "../core/context";
import { InvalidError } from "../core/errors";
import { Name } from "../core/name";
import { entityKey } from "../online/entity-key";
import type { OnlineRecord } from "../online/types";
import { defineOperation } from "../operations/define";
import {
  checkEntityShape,
  checkNameClashes,
  featureRefs,
  parseEntities,
  resolveColumns,
  serviceRefs,
} from "./requests";
import { isoSeconds } from "./values";
import type { ServingView } from "./views";

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
  const rowCount = checkEntityShape(req.entities, MAX_ROWS);

  const refs = req.features
    ? featureRefs(req.features)
    : await serviceRefs(ctx, project.name, req.feature_service ?? "");
  const columns = await resolveColumns(ctx, project, refs, req.full_feature_names, { online: true });
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
