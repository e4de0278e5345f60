import "server-only";
import { z } from "zod";
import type { Ctx } from "../core/context";
import { InvalidError } from "../core/errors";
import { Name } from "../core/name";
import { pointInTime } from "../offline/historical/engine";
import type { PitView } from "../offline/historical/query";
import {
  answerOrder,
  computeOnDemand,
  type OnDemandColumn,
  type OnDemandPlan,
  parseRequestContext,
} from "../on-demand/online";
import { resolveFeatures } from "../on-demand/resolve";
import { defineOperation } from "../operations/define";
import {
  checkEntityShape,
  checkNameClashes,
  featureRefs,
  type OutColumn,
  parseEntities,
  serviceRefs,
} from "./requests";
import { fromColumns, type Tabular, type TabularColumn } from "./tabular/columns";
import { findInvalid } from "./tabular/convert";
import { TABULAR_FORMATS, type TabularFormat, tabularResponse } from "./tabular/formats";
import { show } from "./values";
import { findDataSource, type ServingView } from "./views";

/**
 * Historical retrieval: point-in-time correct training rows (docs/adr/0022-point-in-time-retrieval.md).
 * For each entity row (join keys, event_timestamp = t) and each requested view, the view's source
 * row with those keys, event_ts <= t (and >= t - ttl when ttl > 0) and the greatest event_ts; a tie
 * goes to the greater created timestamp, a NULL created loses; no row gives null. Rows come back in
 * request order with the entity columns echoed as given.
 */

/** Entity rows per inline request; larger sets go through saved datasets. */
export const MAX_HISTORICAL_ROWS = 100_000;
/** Entity rows times requested features per request. */
export const MAX_HISTORICAL_VALUES = 10_000_000;
/** 100,000 rows of a few keys and a time fit well within this. */
const BODY_LIMIT = 64 * 1024 * 1024;

export const TIMESTAMP_COLUMN = "event_timestamp";

export const GetHistoricalFeaturesInput = z.object({
  /** "view:feature" references. */
  features: z.array(z.string()).max(10_000).optional(),
  feature_service: Name.optional(),
  /** Join key -> one value per entity row, and "event_timestamp" -> one time per row. */
  entities: z.record(z.string(), z.array(z.unknown())),
  full_feature_names: z.boolean().default(false),
  project: Name.optional(),
  /**
   * "json": the columnar answer; "csv": a header and one line per entity row; "parquet" and
   * "arrow" (an Arrow IPC stream): the same rows typed by the views' types (ADR 0022).
   */
  format: z.enum(["json", ...TABULAR_FORMATS]).default("json"),
});
export type GetHistoricalFeaturesInput = z.input<typeof GetHistoricalFeaturesInput>;

export const HistoricalFeaturesResponse = z.object({
  metadata: z.object({
    feature_names: z.array(z.string()),
    /** The version of each feature view the rows were computed with. */
    feature_view_versions: z.record(z.string(), z.number()),
    /** The version of each on-demand view the rows were computed with (when any was asked for). */
    on_demand_view_versions: z.record(z.string(), z.number()).optional(),
    /** Per on-demand feature that failed in some row: why, per row (null where it did not). */
    reasons: z.record(z.string(), z.array(z.string().nullable())).optional(),
  }),
  results: z.array(z.object({ values: z.array(z.unknown()) })),
});
export type HistoricalFeaturesResponse = z.output<typeof HistoricalFeaturesResponse>;

export const getHistoricalFeaturesOp = defineOperation({
  name: "serving.getHistoricalFeatures",
  summary:
    "Point-in-time correct training rows: for each entity row, the feature values as of its event_timestamp.",
  kind: "query",
  access: "values.read",
  project: "defaulted",
  input: GetHistoricalFeaturesInput,
  output: HistoricalFeaturesResponse,
  doors: ["rest", "cli"],
  rest: {
    path: "/api/v1/get-historical-features",
    bodyLimit: BODY_LIMIT,
    // Up to ten million values, built from typed columns: not re-checked value by value.
    outputChecked: false,
    respond: (out, input) => {
      const { format = "json" } = input as { format?: "json" | TabularFormat };
      return format === "json"
        ? undefined
        : tabularResponse(format, historicalTable(out as HistoricalFeaturesResponse), "historical-features");
    },
  },
  run: ({ ctx, input, project }) => getHistorical(ctx, project, input),
});
export const getHistoricalFeatures = getHistoricalFeaturesOp.call;

async function getHistorical(
  ctx: Ctx,
  project: { id: string; name: string },
  req: z.output<typeof GetHistoricalFeaturesInput>,
): Promise<HistoricalFeaturesResponse> {
  if (req.features && req.feature_service !== undefined)
    throw new InvalidError('give either "features" or "feature_service", not both', "features");
  if (!req.features && req.feature_service === undefined)
    throw new InvalidError('one of "features" or "feature_service" is required', "features");
  if (req.features?.length === 0) throw new InvalidError("features must not be empty", "features");
  const rawTimes = req.entities[TIMESTAMP_COLUMN];
  if (!rawTimes)
    throw new InvalidError(
      `entities.${TIMESTAMP_COLUMN}: is required: one time per entity row, as of which the features are read`,
      `entities.${TIMESTAMP_COLUMN}`,
    );
  const rowCount = checkEntityShape(req.entities, MAX_HISTORICAL_ROWS);
  const times = rawTimes.map((v, i) => parseInstant(v, i));

  const refs = req.features
    ? featureRefs(req.features)
    : await serviceRefs(ctx, project, req.feature_service ?? "");
  // Names that are no feature view may be on-demand views (docs/adr/0036-on-demand-features.md).
  const { columns, onDemand, views } = await resolveFeatures(
    ctx,
    project,
    refs,
    req.full_feature_names,
    "offline",
  );
  for (const v of views)
    if (!v.spec.offline)
      throw new InvalidError(
        `feature view "${v.name}" is not available offline (its spec says offline: false)`,
        "features",
      );

  // As in Feast, an on-demand view's request fields are columns of the entity rows.
  const requestFields = onDemand?.requestFields ?? new Map();
  const keys = Object.fromEntries(
    Object.entries(req.entities).filter(([name]) => name !== TIMESTAMP_COLUMN && !requestFields.has(name)),
  );
  const requestColumns = Object.fromEntries(
    Object.entries(req.entities).filter(([name]) => requestFields.has(name)),
  );
  const requestValues = onDemand
    ? parseRequestContext(requestColumns, requestFields, rowCount, "entities")
    : undefined;
  const joinKeyNames = Object.keys(keys);
  const echoed = [...joinKeyNames, TIMESTAMP_COLUMN, ...(requestValues?.keys() ?? [])];
  const outColumns: (OutColumn | OnDemandColumn)[] = onDemand
    ? answerOrder(refs, columns, onDemand)
    : columns;
  checkNameClashes(outColumns, echoed);
  if (rowCount * outColumns.length > MAX_HISTORICAL_VALUES)
    throw new InvalidError(
      `batch too large: ${rowCount} rows x ${outColumns.length} features, limit ${MAX_HISTORICAL_VALUES} values`,
      "entities",
    );
  parseEntities(keys, views);

  const pitViews = await Promise.all(
    views.map((v) => pitView(ctx, project.id, v, columns, onDemand?.inputs.get(v.name)?.features)),
  );
  const found = await pointInTime(ctx.offline, project.name, pitViews, { keys, times });

  const computed = onDemand
    ? computeOffline(onDemand, requestValues ?? new Map(), rowCount, found)
    : undefined;
  const results = [
    ...joinKeyNames.map((k) => ({ values: keys[k] ?? [] })),
    { values: rawTimes },
    ...[...(requestValues?.keys() ?? [])].map((k) => ({ values: requestColumns[k] ?? [] })),
    ...outColumns.map((c) => ({
      values:
        (typeof c.view === "number"
          ? computed?.columns.get(c as OnDemandColumn)
          : found.get(c.view.name)?.get(c.feature)) ?? new Array(rowCount).fill(null),
    })),
  ];
  const answer: HistoricalFeaturesResponse = {
    metadata: {
      feature_names: [...echoed, ...outColumns.map((c) => c.name)],
      feature_view_versions: Object.fromEntries(views.map((v) => [v.name, v.version])),
      ...(onDemand
        ? {
            on_demand_view_versions: Object.fromEntries(
              onDemand.views.map((v) => [v.odv.name, v.odv.version]),
            ),
          }
        : {}),
      ...(computed?.reasons ? { reasons: computed.reasons } : {}),
    },
    results,
  };
  const keyTypes = new Map(views.flatMap((v) => v.joinKeys.map((k) => [k.name, k.valueType] as const)));
  const typed: TabularColumn[] = [
    ...joinKeyNames.map((k) => ({ name: k, type: keyTypes.get(k) ?? ("string" as const) })),
    { name: TIMESTAMP_COLUMN, type: "unix_timestamp" },
    ...[...(requestValues?.keys() ?? [])].map((k) => ({
      name: k,
      type: requestFields.get(k)?.dtype ?? "string",
    })),
    ...outColumns.map((c) => ({ name: c.name, type: featureType(c, onDemand) })),
  ];
  if (req.format === "parquet" || req.format === "arrow") checkTyped(typed, results, req.format);
  TYPES.set(answer, typed);
  return answer;
}

/**
 * The column types of answers built here, for the typed formats. Kept beside the answer rather
 * than in it: the JSON answer stays as it was, byte for byte.
 */
const TYPES = new WeakMap<HistoricalFeaturesResponse, TabularColumn[]>();

/**
 * An answer of getHistoricalFeatures as a table for the tabular writers (server/serving/tabular):
 * join keys typed as their entities, event_timestamp as a timestamp, features as their views
 * declare. An answer not built here has no types: its columns are written as strings (CSV only).
 */
export function historicalTable(answer: HistoricalFeaturesResponse, batchRows = 10_000): Tabular {
  const columns =
    TYPES.get(answer) ?? answer.metadata.feature_names.map((name) => ({ name, type: "string" as const }));
  return fromColumns(
    columns,
    answer.results.map((r) => r.values),
    batchRows,
  );
}

/**
 * On-demand features over the joined rows, in Node with the engine online retrieval uses
 * (docs/adr/0036-on-demand-features.md): the same inputs give the same values and reasons.
 */
function computeOffline(
  plan: OnDemandPlan,
  request: Map<string, unknown[]>,
  rowCount: number,
  found: Map<string, Map<string, unknown[]>>,
): { columns: Map<OnDemandColumn, unknown[]>; reasons?: Record<string, (string | null)[]> } {
  const computed = computeOnDemand(
    plan,
    request,
    rowCount,
    (view, feature, row) => found.get(view)?.get(feature)?.[row] ?? null,
  );
  const columns = new Map<OnDemandColumn, unknown[]>();
  let reasons: Record<string, (string | null)[]> | undefined;
  plan.columns.forEach((c, i) => {
    const out = computed[i] ?? { values: new Array(rowCount).fill(null), reasons: [] };
    columns.set(c, out.values);
    if (out.reasons.some((r) => r !== null)) {
      reasons ??= {};
      reasons[c.name] = out.reasons;
    }
  });
  return reasons ? { columns, reasons } : { columns };
}

function featureType(c: OutColumn | OnDemandColumn, onDemand: OnDemandPlan | undefined) {
  if (typeof c.view === "number") {
    const spec = onDemand?.views[c.view]?.odv.spec.fields.find((f) => f.name === c.feature);
    if (!spec) throw new Error(`feature "${c.label}" vanished from its on-demand view`);
    return spec.dtype;
  }
  const field = c.view.spec.fields.find((f) => f.name === c.feature);
  if (!field) throw new Error(`feature "${c.label}" vanished from its view`);
  return field.dtype;
}

/**
 * Parquet and Arrow need every value in its column's type. Entity values were checked against
 * their join keys already; a feature value may still not fit (an int64 feature read from a numeric
 * column holding 1.5): refuse before anything is streamed, naming the feature and the row.
 */
function checkTyped(columns: TabularColumn[], results: { values: unknown[] }[], format: string) {
  const rows = results[0]?.values.length ?? 0;
  const bad = findInvalid(columns, { rows, values: results.map((r) => r.values) });
  if (!bad) return;
  const field = bad.column === TIMESTAMP_COLUMN ? `entities.${TIMESTAMP_COLUMN}.${bad.row}` : "format";
  throw new InvalidError(
    `format ${format}: ${bad.message}; format json or csv gives the values as they are`,
    field,
  );
}

/** A view's part of a point-in-time request: its source, ttl, join keys and the requested fields. */
export async function pitView(
  ctx: Ctx,
  projectId: string,
  view: ServingView,
  columns: OutColumn[],
  /** Features read besides the requested ones: the inputs of on-demand features. */
  extra?: Set<string>,
): Promise<PitView> {
  const source = await findDataSource(ctx, projectId, view.spec.source);
  // The registry refuses to delete a source a view uses, so this is a broken registry.
  if (!source) throw new Error(`data source "${view.spec.source}" of feature view "${view.name}" is missing`);
  const wanted = new Set(columns.filter((c) => c.view === view).map((c) => c.feature));
  for (const f of extra ?? []) wanted.add(f);
  return {
    name: view.name,
    source,
    ttlSeconds: view.spec.ttlSeconds,
    joinKeys: view.joinKeys.map((k) => ({ name: k.name, valueType: k.valueType })),
    fields: view.spec.fields.filter((f) => wanted.has(f.name)).map((f) => ({ name: f.name, dtype: f.dtype })),
  };
}

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * An entity row's time as an ISO 8601 string with an offset, microseconds kept: Postgres reads it
 * exactly. No offset means UTC (Feast's rule). Anything else is a 400 naming the row.
 */
export function parseInstant(value: unknown, row: number): string {
  const field = `entities.${TIMESTAMP_COLUMN}.${row}`;
  const bad = () =>
    new InvalidError(
      `${field}: ${show(value)} is not a time; use ISO 8601 like 2026-01-31T12:00:00Z (no offset means UTC, up to microseconds)`,
      field,
    );
  if (typeof value !== "string") throw bad();
  const m = INSTANT.exec(value.trim());
  if (!m) throw bad();
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", zone = "Z"] = m;
  const offset =
    zone === "Z"
      ? "Z"
      : zone.length === 3
        ? `${zone}:00`
        : zone.includes(":")
          ? zone
          : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${offset}`;
  // Date checks the calendar (no February 30th) to the millisecond; Postgres keeps the microseconds.
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${offset}`);
  if (
    Number.isNaN(ms) ||
    Number(d) > new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate() ||
    Number(h) > 23
  )
    throw bad();
  return iso;
}
