import "server-only";
import type { Ctx } from "../core/context";
import { InvalidError } from "../core/errors";
import type { ValueType } from "../core/vocabulary";
import type { OutColumn, Ref } from "../serving/requests";
import { expectedOf, parseFeatureValue, show } from "../serving/values";
import { type ServingView, viewsByName } from "../serving/views";
import { type CompiledView, compiledVersion, evaluateOnDemand, type InputTypes } from "./engine";
import { loadOnDemandViews } from "./load";
import type { ServingOnDemandView } from "./serving-view";

/**
 * On-demand features in a retrieval (docs/adr/0036-on-demand-features.md): which on-demand views a
 * request names, the feature views and features they read (fetched in the same store call as the
 * requested ones), the request fields they need, and their computation per entity row.
 */

/** The on-demand views with these names: from the registry cache when the context has one. */
export function onDemandViewsByName(
  ctx: Ctx,
  projectId: string,
  names: string[],
): Promise<Map<string, ServingOnDemandView>> {
  if (names.length === 0) return Promise.resolve(new Map());
  if (ctx.registry) return ctx.registry.onDemandViews(projectId, names);
  return loadOnDemandViews(ctx.db, projectId, names);
}

/** One computed answer column. */
export interface OnDemandColumn {
  /** Index into OnDemandPlan.views. */
  view: number;
  feature: string;
  name: string;
  label: string;
}

export interface OnDemandPlan {
  views: {
    odv: ServingOnDemandView;
    compiled: CompiledView;
    /** The features of it the request asks for. */
    features: string[];
  }[];
  columns: OnDemandColumn[];
  /** The feature views the expressions read, and which of their features. */
  inputs: Map<string, { view: ServingView; features: Set<string> }>;
  /** Every declared request field of the views, with its type. */
  requestFields: Map<string, { dtype: ValueType; view: string }>;
}

/**
 * Resolves references to on-demand views. Input views that are not served online are refused: a
 * computation over them would be null for every row.
 */
export async function planOnDemand(
  ctx: Ctx,
  project: { id: string; name: string },
  refs: Ref[],
  odvs: Map<string, ServingOnDemandView>,
  fullNames: boolean,
  /** Online retrieval needs the input views served online; training sets need them offline. */
  mode: "online" | "offline",
): Promise<OnDemandPlan> {
  const inputNames = new Set<string>();
  for (const odv of odvs.values()) for (const ref of odv.spec.inputs) inputNames.add(ref.split(":")[0] ?? "");
  const inputViews = await viewsByName(ctx, project.id, [...inputNames]);
  const plan: OnDemandPlan = { views: [], columns: [], inputs: new Map(), requestFields: new Map() };
  const index = new Map<string, number>();
  const seen = new Set<string>();
  for (const ref of refs) {
    const odv = odvs.get(ref.view);
    if (!odv) continue;
    let v = index.get(odv.name);
    if (v === undefined) {
      v = plan.views.length;
      index.set(odv.name, v);
      plan.views.push({ odv, compiled: compile(odv, inputViews), features: [] });
      for (const f of odv.spec.requestFields) {
        const other = plan.requestFields.get(f.name);
        if (other && other.dtype !== f.dtype)
          throw new InvalidError(
            `${ref.field}: request field "${f.name}" is ${other.dtype} in on-demand view "${other.view}" but ${f.dtype} in "${odv.name}"; they cannot be requested together`,
            ref.field,
          );
        plan.requestFields.set(f.name, { dtype: f.dtype, view: odv.name });
      }
    }
    const entry = plan.views[v];
    if (!entry) continue;
    const names = ref.feature === "*" ? odv.spec.fields.map((f) => f.name) : [ref.feature];
    for (const feature of names) {
      if (!entry.compiled.fields.has(feature) && !odv.spec.fields.some((f) => f.name === feature))
        throw new InvalidError(
          `${ref.field}: on-demand view "${odv.name}" has no feature "${feature}"`,
          ref.field,
        );
      const label = `${odv.name}:${feature}`;
      if (seen.has(label))
        throw new InvalidError(`${ref.field}: feature "${label}" is requested twice`, ref.field);
      seen.add(label);
      entry.features.push(feature);
      plan.columns.push({ view: v, feature, name: fullNames ? `${odv.name}__${feature}` : feature, label });
    }
  }
  // Only the inputs the requested features read are fetched.
  for (const { odv, compiled, features } of plan.views) {
    for (const read of readsOf(compiled, features)) {
      if (read.variable === "request") continue;
      const view = inputViews.get(read.variable);
      if (!view) continue;
      if (!(mode === "online" ? view.spec.online : view.spec.offline))
        throw new InvalidError(
          `on-demand view "${odv.name}" reads feature view "${view.name}", which is not available ${mode}`,
          "features",
        );
      const held = plan.inputs.get(view.name) ?? { view, features: new Set<string>() };
      held.features.add(read.field);
      plan.inputs.set(view.name, held);
    }
  }
  return plan;
}

function compile(odv: ServingOnDemandView, inputViews: Map<string, ServingView>): CompiledView {
  const types: InputTypes = new Map();
  for (const ref of odv.spec.inputs) {
    const view = ref.split(":")[0] ?? "";
    const serving = inputViews.get(view);
    if (serving && !types.has(view))
      types.set(view, new Map(serving.spec.fields.map((f) => [f.name, f.dtype as ValueType])));
  }
  return compiledVersion(odv.id, odv.version, odv.spec, types);
}

function readsOf(compiled: CompiledView, features: string[]): { variable: string; field: string }[] {
  return features.flatMap((f) =>
    (compiled.fields.get(f)?.reads ?? []).map((r) => ({ variable: r.variableName, field: r.field })),
  );
}

/**
 * Checks `request_context` as entities are checked: every declared request field present, one
 * value per entity row, each of the declared type (or null); no field nobody declared. Returns the
 * values in online form.
 */
export function parseRequestContext(
  context: Record<string, unknown[]> | undefined,
  fields: Map<string, { dtype: ValueType; view: string }>,
  rowCount: number,
  /** Where the fields come from: `request_context` online, the entity columns (`entities`) offline. */
  at = "request_context",
): Map<string, unknown[]> {
  const given = context ?? {};
  for (const [name, { view }] of fields)
    if (!Object.hasOwn(given, name))
      throw new InvalidError(
        `${at}: field "${name}" is missing; on-demand view "${view}" needs it`,
        `${at}.${name}`,
      );
  const parsed = new Map<string, unknown[]>();
  for (const [name, values] of Object.entries(given)) {
    const field = fields.get(name);
    if (!field)
      throw new InvalidError(
        fields.size === 0
          ? `${at}.${name}: no requested on-demand view declares request fields`
          : `${at}.${name}: no requested on-demand view declares "${name}" (they declare ${[...fields.keys()].map((k) => `"${k}"`).join(", ")})`,
        `${at}.${name}`,
      );
    if (!Array.isArray(values) || values.length !== rowCount)
      throw new InvalidError(
        `${at}.${name}: has ${Array.isArray(values) ? values.length : 0} values but there are ${rowCount} entity rows; give one value per row`,
        `${at}.${name}`,
      );
    parsed.set(
      name,
      values.map((v, i) => {
        const c = parseFeatureValue(at === "entities" ? fromText(v, field.dtype) : v, field.dtype);
        if (!c)
          throw new InvalidError(
            `${at}.${name}[${i}]: expected ${expectedOf(field.dtype)}, got ${show(v)}`,
            `${at}.${name}.${i}`,
          );
        return c.online;
      }),
    );
  }
  return parsed;
}

/**
 * Entity rows read from CSV (the CLI, saved datasets) carry text: offline, a request field's
 * numbers and booleans may be given as their text, and an empty cell is null (but "" for a string).
 */
function fromText(value: unknown, dtype: ValueType): unknown {
  if (typeof value !== "string") return value;
  if (value === "") return dtype === "string" ? value : null;
  if (dtype === "float32" || dtype === "float64") {
    const n = Number(value);
    return value.trim() !== "" && Number.isFinite(n) ? n : value;
  }
  if (dtype === "bool") return value === "true" ? true : value === "false" ? false : value;
  return value;
}

/** A feature view's value for an entity row: null when absent, stored null, or past its ttl. */
export type InputValue = (view: string, feature: string, row: number) => unknown;

/** Computes every on-demand column of the plan; per column its values and per-row reasons. */
export function computeOnDemand(
  plan: OnDemandPlan,
  request: Map<string, unknown[]>,
  rowCount: number,
  input: InputValue,
): { values: unknown[]; reasons: (string | null)[] }[] {
  const byView = plan.views.map(({ compiled, features }) =>
    evaluateOnDemand(compiled, features, {
      rowCount,
      feature: input,
      request: (field, row) => request.get(field)?.[row] ?? null,
    }),
  );
  return plan.columns.map((c) => byView[c.view]?.get(c.feature) ?? { values: [], reasons: [] });
}

/** Feature view and on-demand columns interleaved as the references named them. */
export function answerOrder(
  refs: Ref[],
  columns: OutColumn[],
  onDemand: OnDemandPlan,
): (OutColumn | OnDemandColumn)[] {
  const order: (OutColumn | OnDemandColumn)[] = [];
  let c = 0;
  let o = 0;
  for (const ref of refs) {
    const isOnDemand = onDemand.views.some((v) => v.odv.name === ref.view);
    if (isOnDemand) {
      do order.push(onDemand.columns[o++] as OnDemandColumn);
      while (
        ref.feature === "*" &&
        o < onDemand.columns.length &&
        onDemand.columns[o]?.label.startsWith(`${ref.view}:`)
      );
    } else {
      do order.push(columns[c++] as OutColumn);
      while (ref.feature === "*" && c < columns.length && columns[c]?.view.name === ref.view);
    }
  }
  return order;
}

/**
 * The views a retrieval reads: the requested columns' and the on-demand inputs', each once by
 * name (without a registry cache, two lookups of one view give two objects).
 */
export function viewsToRead(columns: OutColumn[], plan: OnDemandPlan | undefined): ServingView[] {
  const byName = new Map<string, ServingView>();
  for (const c of columns) if (!byName.has(c.view.name)) byName.set(c.view.name, c.view);
  for (const { view } of plan?.inputs.values() ?? []) if (!byName.has(view.name)) byName.set(view.name, view);
  return [...byName.values()];
}
