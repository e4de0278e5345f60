import "server-only";
import { z } from "zod";
import type { Actor, Ctx, UsageSink } from "../core/context";
import { InvalidError, UnavailableError } from "../core/errors";
import { Name } from "../core/name";
import { env } from "../env";
import { recordServed } from "../metrics";
import {
  answerOrder,
  computeOnDemand,
  type OnDemandColumn,
  type OnDemandPlan,
  parseRequestContext,
} from "../on-demand/online";
import { resolveFeatures } from "../on-demand/resolve";
import { entityKeysOfColumns } from "../online/entity-key";
import type { OnlineRecord } from "../online/types";
import { defineOperation } from "../operations/define";
import {
  checkEntityShape,
  checkNameClashes,
  featureRefs,
  type OutColumn,
  parseEntities,
  serviceRefs,
} from "./requests";
import { withStreamFeatures } from "./stream-features";
import { isoSeconds } from "./values";
import type { ServingView } from "./views";

/**
 * Online retrieval with Feast's request and response shapes (docs/adr/0006-retrieval-api.md,
 * "get-online-features"). Every view and entity key is read in one online store call.
 */

/**
 * Entity rows per request, and entity rows times requested features: the defaults keep a lookup's
 * p99 sane (docs/adr/0023-serving-at-redis-speed.md); QUIVER_SERVING_MAX_ENTITIES and
 * QUIVER_SERVING_MAX_VALUES change them.
 */
export function servingLimits(): { maxEntities: number; maxValues: number; deadlineMs: number } {
  const e = env();
  return {
    maxEntities: e.QUIVER_SERVING_MAX_ENTITIES,
    maxValues: e.QUIVER_SERVING_MAX_VALUES,
    deadlineMs: e.QUIVER_SERVING_DEADLINE_MS,
  };
}

export const GetOnlineFeaturesInput = z.object({
  /** "view:feature" references. */
  features: z.array(z.string()).max(10_000).optional(),
  feature_service: Name.optional(),
  /** Join key -> one value per entity row. */
  entities: z.record(z.string(), z.array(z.unknown())),
  full_feature_names: z.boolean().default(false),
  project: Name.optional(),
  /**
   * Feast's request data for on-demand features: field -> one value per entity row
   * (docs/adr/0036-on-demand-features.md).
   */
  request_context: z.record(z.string(), z.array(z.unknown())).optional(),
});
export type GetOnlineFeaturesInput = z.input<typeof GetOnlineFeaturesInput>;

export type FieldStatus = "PRESENT" | "NULL_VALUE" | "NOT_FOUND" | "OUTSIDE_MAX_AGE";

export interface FeatureColumn {
  values: unknown[];
  statuses: FieldStatus[];
  event_timestamps: string[];
}

/**
 * One column per name in metadata.feature_names, join keys first. `metadata.reasons` (Quiver's
 * own, absent unless needed) gives, for each on-demand feature that is NULL_VALUE in some row
 * because its computation failed, why, per row (null where it did not fail).
 */
export interface OnlineFeaturesResponse {
  metadata: { feature_names: string[]; reasons?: Record<string, (string | null)[]> };
  results: FeatureColumn[];
}

export const EPOCH = "1970-01-01T00:00:00Z";

const FieldStatusSchema = z.enum(["PRESENT", "NULL_VALUE", "NOT_FOUND", "OUTSIDE_MAX_AGE"]);

/** Feast's columnar answer: one result per name in metadata.feature_names. */
export const OnlineFeaturesResponse = z.object({
  metadata: z.object({
    feature_names: z.array(z.string()),
    reasons: z.record(z.string(), z.array(z.string().nullable())).optional(),
  }),
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
  // tRPC: the object pages' preview of online values (a few keys, the caller's own session).
  doors: ["rest", "trpc"],
  // The answer is built value by value from typed columns; re-checking up to a million values per
  // request would cost more than the lookup itself.
  rest: { path: "/api/v1/get-online-features", outputChecked: false },
  run: ({ ctx, input, project }) =>
    withDeadline(servingLimits().deadlineMs, () => getOnline(ctx, project, input)),
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
  const limits = servingLimits();
  const rowCount = checkEntityShape(req.entities, limits.maxEntities, "QUIVER_SERVING_MAX_ENTITIES");

  const joinKeyNames = Object.keys(req.entities);
  let plan: Plan;
  try {
    plan = await planOf(ctx, project, req, joinKeyNames);
  } catch (e) {
    // a view the plan does not know may be a stream view (docs/adr/0037): only refused requests get here
    const mixed =
      e instanceof InvalidError
        ? await withStreamFeatures(ctx, project, req, limits.maxValues, (features) =>
            getOnline(ctx, project, { ...req, features }),
          )
        : undefined;
    if (mixed) return mixed;
    throw e;
  }
  const { columns, views, featuresOf, onDemand, order } = plan;
  const width = columns.length + (onDemand?.columns.length ?? 0);
  if (rowCount * width > limits.maxValues)
    throw new InvalidError(
      `batch too large: ${rowCount} rows x ${width} features, limit ${limits.maxValues} values (QUIVER_SERVING_MAX_VALUES)`,
      "entities",
    );
  const requestValues =
    onDemand || req.request_context
      ? parseRequestContext(req.request_context, onDemand?.requestFields ?? new Map(), rowCount)
      : undefined;
  const keyValues = parseEntities(req.entities, views);
  const { keys, viewRowKeys } = entityKeysOf(views, keyValues, rowCount);

  const records = await ctx.online.read(
    project.name,
    views.map((v, i) => ({ featureView: v.name, features: featuresOf[i] ?? [] })),
    keys,
  );

  const results: FeatureColumn[] = joinKeyNames.map((name) => ({
    values: req.entities[name] ?? [],
    statuses: new Array<FieldStatus>(rowCount).fill("PRESENT"),
    event_timestamps: new Array<string>(rowCount).fill(EPOCH),
  }));
  const out = new Map<OutColumn | OnDemandColumn, FeatureColumn>();
  /** Per view read, its record and expiry per entity row: what on-demand features compute from. */
  const held = onDemand
    ? new Map<string, { rows: (OnlineRecord | null)[]; expired: boolean[] }>()
    : undefined;
  const now = Date.now();
  views.forEach((view, v) => {
    const stored = records[v] ?? [];
    const rowKeys = viewRowKeys[v] ?? [];
    const ttlMs = view.spec.ttlSeconds * 1000;
    // Per stored row, once: its timestamp text and whether it is past the view's ttl.
    const tsText = new Map<OnlineRecord, string>();
    const rows: (OnlineRecord | null)[] = new Array(rowCount);
    const times: string[] = new Array(rowCount);
    const expired: boolean[] = new Array(rowCount);
    for (let i = 0; i < rowCount; i++) {
      const record = stored[rowKeys[i] ?? -1] ?? null;
      rows[i] = record;
      if (!record) continue;
      let ts = tsText.get(record);
      if (ts === undefined) {
        ts = isoSeconds(record.eventTs);
        tsText.set(record, ts);
      }
      times[i] = ts;
      expired[i] = ttlMs > 0 && now - record.eventTs.getTime() > ttlMs;
    }
    for (const c of columns) {
      if (c.view !== view) continue;
      out.set(c, columnOf(c.feature, rows, times, expired));
    }
    held?.set(view.name, { rows, expired });
  });
  let reasons: Record<string, (string | null)[]> | undefined;
  if (onDemand && held) {
    const computed = computeOnDemand(onDemand, requestValues ?? new Map(), rowCount, (view, feature, row) => {
      const h = held.get(view);
      const record = h?.rows[row];
      if (!record || h?.expired[row]) return null;
      return record.values[feature] ?? null;
    });
    onDemand.columns.forEach((c, i) => {
      const { values, reasons: why } = computed[i] ?? { values: [], reasons: [] };
      const statuses: FieldStatus[] = new Array(rowCount);
      let failed = false;
      for (let r = 0; r < rowCount; r++) {
        const ok = why[r] === null;
        statuses[r] = ok ? "PRESENT" : "NULL_VALUE";
        if (!ok) failed = true;
      }
      out.set(c, { values, statuses, event_timestamps: new Array<string>(rowCount).fill(EPOCH) });
      if (failed) {
        reasons ??= {};
        reasons[c.name] = why;
      }
    });
  }
  for (const c of order ?? columns) results.push(out.get(c) as FeatureColumn);
  ctx.usage?.viewsRead({
    projectId: project.id,
    viewIds: views.map((v) => v.id),
    entities: rowCount,
    caller: callerOf(ctx.actor),
    projectName: project.name,
    viewNames: views.map((v) => v.name),
  });
  recordServed(project.name, rowCount, rowCount * width);
  const featureNames = [...joinKeyNames, ...(order ?? columns).map((c) => c.name)];
  return {
    metadata: reasons ? { feature_names: featureNames, reasons } : { feature_names: featureNames },
    results,
  };
}

/** What a request's feature list resolves to: the same for every request naming the same list. */
interface Plan {
  columns: OutColumn[];
  /** The views read, each once, in first-use order. */
  views: ServingView[];
  viewNames: string[];
  /** The features read of each view. */
  featuresOf: string[][];
  /** On-demand features, when the request names any (their input views are among `views`). */
  onDemand?: OnDemandPlan;
  /** With on-demand features: every answer column in request order. */
  order?: (OutColumn | OnDemandColumn)[];
}

/** Plans of recent feature lists, by project, list and join keys; emptied when full. */
const plans = new Map<string, Plan>();
const MAX_PLANS = 1_000;

/**
 * The request's columns, views and per-view features. A client sends the same feature list again
 * and again, so the plan of a list is kept, and reused while the registry cache still hands out
 * the very view objects it was built from: a registry write empties the cache, the views are
 * loaded anew, and the plan no longer matches. Without a cache nothing is reused. Feature
 * services are resolved each time (their projections can change without their views).
 */
async function planOf(
  ctx: Ctx,
  project: { id: string; name: string },
  req: z.output<typeof GetOnlineFeaturesInput>,
  joinKeyNames: string[],
): Promise<Plan> {
  const key =
    req.features && ctx.registry
      ? JSON.stringify([project.id, req.full_feature_names, joinKeyNames, req.features])
      : undefined;
  const held = key === undefined ? undefined : plans.get(key);
  if (held && ctx.registry) {
    const current = await ctx.registry.views(project.id, held.viewNames);
    if (held.views.every((v) => current.get(v.name) === v) && (await sameOnDemand(ctx, project.id, held)))
      return held;
  }
  const refs = req.features
    ? featureRefs(req.features)
    : await serviceRefs(ctx, project, req.feature_service ?? "");
  const { columns, onDemand, views } = await resolveFeatures(
    ctx,
    project,
    refs,
    req.full_feature_names,
    "online",
  );
  checkNameClashes(onDemand ? [...columns, ...onDemand.columns] : columns, joinKeyNames);
  const featuresOf = views.map((v) => {
    const wanted = columns.filter((c) => c.view.name === v.name).map((c) => c.feature);
    for (const f of onDemand?.inputs.get(v.name)?.features ?? []) if (!wanted.includes(f)) wanted.push(f);
    return wanted;
  });
  const plan: Plan = { columns, views, viewNames: views.map((v) => v.name), featuresOf };
  if (onDemand) {
    plan.onDemand = onDemand;
    plan.order = answerOrder(refs, columns, onDemand);
  }
  if (key !== undefined) {
    if (plans.size >= MAX_PLANS) plans.clear();
    plans.set(key, plan);
  }
  return plan;
}

/** Whether the plan's on-demand views are still the registry cache's current ones. */
async function sameOnDemand(ctx: Ctx, projectId: string, plan: Plan): Promise<boolean> {
  if (!plan.onDemand || !ctx.registry) return true;
  const views = plan.onDemand.views.map((v) => v.odv);
  const current = await ctx.registry.onDemandViews(
    projectId,
    views.map((v) => v.name),
  );
  return views.every((v) => current.get(v.name) === v);
}

function callerOf(actor: Actor): Parameters<UsageSink["viewsRead"]>[0]["caller"] {
  if (actor.kind === "api_key" || actor.kind === "user") return { kind: actor.kind, id: actor.id };
  return { kind: "other" };
}

/**
 * The entity keys the store is asked for, each once: views keyed by the same join keys share
 * them. For each view, the index into `keys` of every entity row.
 */
function entityKeysOf(
  views: ServingView[],
  keyValues: Map<string, (string | number)[]>,
  rowCount: number,
): { keys: string[]; viewRowKeys: number[][] } {
  const keys: string[] = [];
  const keyIndex = new Map<string, number>();
  const bySignature = new Map<string, number[]>();
  const viewRowKeys = views.map((view) => {
    const names = view.joinKeys.map((k) => k.name).sort();
    const signature = names.join(",");
    const known = bySignature.get(signature);
    if (known) return known;
    const rowKeys: number[] = new Array(rowCount);
    const ofRows = entityKeysOfColumns(
      names,
      names.map((n) => keyValues.get(n) ?? []),
      rowCount,
    );
    for (let i = 0; i < rowCount; i++) {
      const key = ofRows[i] as string;
      let idx = keyIndex.get(key);
      if (idx === undefined) {
        idx = keys.length;
        keys.push(key);
        keyIndex.set(key, idx);
      }
      rowKeys[i] = idx;
    }
    bySignature.set(signature, rowKeys);
    return rowKeys;
  });
  return { keys, viewRowKeys };
}

/**
 * One feature's column. The status of a value: no row or no such feature in it -> NOT_FOUND;
 * stored null -> NULL_VALUE; older than the view's ttl at read time -> OUTSIDE_MAX_AGE, with a
 * null value, so a caller that ignores statuses never uses an expired value (the point-in-time
 * join gives null there too).
 */
function columnOf(
  feature: string,
  rows: (OnlineRecord | null)[],
  times: string[],
  expired: boolean[],
): FeatureColumn {
  const n = rows.length;
  const values: unknown[] = new Array(n);
  const statuses: FieldStatus[] = new Array(n);
  const timestamps: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const value = rows[i]?.values[feature];
    if (value === undefined) {
      values[i] = null;
      statuses[i] = "NOT_FOUND";
      timestamps[i] = EPOCH;
    } else {
      timestamps[i] = times[i] ?? EPOCH;
      if (value === null) {
        values[i] = null;
        statuses[i] = "NULL_VALUE";
      } else if (expired[i]) {
        values[i] = null;
        statuses[i] = "OUTSIDE_MAX_AGE";
      } else {
        values[i] = value;
        statuses[i] = "PRESENT";
      }
    }
  }
  return { values, statuses, event_timestamps: timestamps };
}

/**
 * Runs `work`, or gives up at the deadline with a 503 and Retry-After: a late answer is worth
 * less than a fast refusal the client can retry elsewhere. The store call it abandons finishes on
 * its own (its result is dropped); reads change nothing, so nothing is left half-done.
 */
async function withDeadline<T>(ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new UnavailableError(`the lookup missed its deadline of ${ms} ms (QUIVER_SERVING_DEADLINE_MS)`, 1),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([work(), late]);
  } finally {
    clearTimeout(timer);
  }
}
