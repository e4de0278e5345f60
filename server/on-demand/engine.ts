import "server-only";
import { Environment, type ParseResult } from "@marcbachmann/cel-js";
import { InvalidError } from "../core/errors";
import type { ValueType } from "../core/vocabulary";
import { type OnDemandViewSpec, REQUEST_VARIABLE } from "./spec";
import { ConversionError, celTypeOf, fromCel, toCel } from "./types";

/**
 * The on-demand engine (docs/adr/0036-on-demand-features.md): each view version's expressions are
 * parsed and type-checked once, then evaluated per entity row, online and offline alike.
 *
 * Variables: every input feature view is a variable whose fields are its features
 * (`driver_stats.conv_rate`), and `request` holds the declared request fields (`request.boost`).
 * A row whose expression reads a null input, fails (division by zero, overflow, index out of
 * range) or yields a value its dtype cannot hold gets null with a reason; nothing throws.
 */

const EARTH_RADIUS_KM = 6371.0088;
const toRadians = (deg: number) => (deg * Math.PI) / 180;

/** Pure numeric helpers CEL lacks (it has no math library): all total, NaN where undefined. */
function baseEnvironment(): Environment {
  const env = new Environment({ limits: { maxAstNodes: 2_000, maxDepth: 64 } });
  const unary: [string, (x: number) => number][] = [
    ["sqrt", Math.sqrt],
    ["exp", Math.exp],
    ["log", Math.log],
    ["sin", Math.sin],
    ["cos", Math.cos],
    ["tan", Math.tan],
    ["asin", Math.asin],
    ["acos", Math.acos],
    ["atan", Math.atan],
    ["floor", Math.floor],
    ["ceil", Math.ceil],
    ["fabs", Math.abs],
    ["radians", toRadians],
  ];
  for (const [name, f] of unary) env.registerFunction(`${name}(double): double`, f);
  env.registerFunction("atan2(double, double): double", Math.atan2);
  env.registerFunction("pow(double, double): double", Math.pow);
  env.registerFunction(
    "haversine_km(double, double, double, double): double",
    (lat1: number, lon1: number, lat2: number, lon2: number) => {
      const dLat = toRadians(lat2 - lat1);
      const dLon = toRadians(lon2 - lon1);
      const a =
        Math.sin(dLat / 2) ** 2 +
        Math.cos(toRadians(lat1)) * Math.cos(toRadians(lat2)) * Math.sin(dLon / 2) ** 2;
      return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
    },
  );
  return env;
}

let base: Environment | undefined;

/** The type of every input feature, by view then feature: what the registry says today. */
export type InputTypes = Map<string, Map<string, ValueType>>;

/** A variable of the expressions: an input view, or `request`. */
interface Variable {
  name: string;
  /** Its fields in declaration order, with their Quiver types. */
  fields: { name: string; dtype: ValueType }[];
  ctor: new () => Record<string, unknown>;
}

interface CompiledField {
  name: string;
  dtype: ValueType;
  run: ParseResult;
  /** The variable fields the expression reads. */
  reads: Read[];
}

export interface CompiledView {
  variables: Variable[];
  fields: Map<string, CompiledField>;
  /** Set when the expressions no longer compile against today's input types: every row fails with it. */
  broken?: string;
}

/** The input types a spec needs, from its inputs and the types of the views they name. */
function variablesOf(spec: OnDemandViewSpec, inputTypes: InputTypes): Variable[] {
  const byView = new Map<string, { name: string; dtype: ValueType }[]>();
  spec.inputs.forEach((ref, i) => {
    const [view = "", feature = ""] = ref.split(":");
    const dtype = inputTypes.get(view)?.get(feature);
    if (dtype === undefined)
      throw new InvalidError(
        `inputs.${i}: ${inputTypes.has(view) ? `feature view "${view}" has no feature "${feature}"` : `feature view "${view}" does not exist`}`,
        `inputs.${i}`,
      );
    const list = byView.get(view) ?? [];
    list.push({ name: feature, dtype });
    byView.set(view, list);
  });
  const vars = [...byView].map(([name, fields]) => ({ name, fields, ctor: freshClass() }));
  vars.push({ name: REQUEST_VARIABLE, fields: spec.requestFields, ctor: freshClass() });
  return vars;
}

function freshClass(): new () => Record<string, unknown> {
  return class {} as new () => Record<string, unknown>;
}

/** The first line of a CEL error, and where in the expression it points. */
function problemOf(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const summary = (e as { summary?: string }).summary;
  const line = (summary ?? e.message).split("\n")[0] ?? "";
  const at = (e as { range?: { start?: number } }).range?.start;
  return at === undefined ? line : `${line} (at character ${at + 1})`;
}

/**
 * Parses and type-checks a spec against its inputs' types. Throws an InvalidError (400) naming
 * the field: an input that does not exist, an unknown variable, a type error, or a result type
 * that differs from the field's dtype.
 */
export function compileOnDemand(spec: OnDemandViewSpec, inputTypes: InputTypes): CompiledView {
  base ??= baseEnvironment();
  const variables = variablesOf(spec, inputTypes);
  const env = base.clone();
  for (const v of variables) {
    const typeName = v.name === REQUEST_VARIABLE ? "quiver.request" : `quiver.view.${v.name}`;
    env.registerType(typeName, {
      ctor: v.ctor,
      fields: Object.fromEntries(v.fields.map((f) => [f.name, celTypeOf(f.dtype)])),
    });
    env.registerVariable(v.name, typeName);
  }
  const index = new Map(variables.map((v, i) => [v.name, i]));
  const fields = new Map<string, CompiledField>();
  spec.fields.forEach((f, i) => {
    const at = `fields.${i}.expression`;
    let run: ParseResult;
    try {
      run = env.parse(f.expression);
    } catch (e) {
      throw new InvalidError(`${at}: ${problemOf(e)}`, at);
    }
    const checked = run.check();
    if (!checked.valid) throw new InvalidError(`${at}: ${problemOf(checked.error)}`, at);
    const want = celTypeOf(f.dtype);
    if (checked.type !== want)
      throw new InvalidError(
        `${at}: the expression gives ${checked.type} but field "${f.name}" is declared ${f.dtype} (CEL ${want})`,
        at,
      );
    const costly = costProblem(run.ast, variables, index);
    if (costly) throw new InvalidError(`${at}: ${costly}`, at);
    fields.set(f.name, { name: f.name, dtype: f.dtype, run, reads: readsOf(run.ast, variables, index) });
  });
  return { variables, fields };
}

interface Read {
  variable: number;
  variableName: string;
  field: string;
  /** `variable.field`, as reasons name it. */
  label: string;
}

type AstNode = { op: string; args: unknown };

function isNode(x: unknown): x is AstNode {
  return typeof x === "object" && x !== null && "op" in x && "args" in x;
}

/** CEL's comprehension macros: each runs its body once per element of the list it is called on. */
const COMPREHENSIONS = new Set(["map", "filter", "all", "exists", "exists_one"]);

/**
 * Why an expression's cost could grow faster than its size times its inputs' size, or undefined.
 * CEL has no loops, but a comprehension inside another, or one whose body reads a list input,
 * costs the product of two list lengths (`l.map(a, l.map(b, a + b))`, `l.map(a, l + l)`): with
 * lists from a request body that is billions of steps on the serving thread. Refused at
 * registration, so a registered expression costs at most its nodes times its list lengths (and
 * lists are capped, MAX_LIST_ELEMENTS).
 * matches() is refused too: the evaluator runs it on JavaScript's backtracking RegExp, where
 * `s.matches("^(a+)+$")` takes seconds on 25 characters (ReDoS).
 */
function costProblem(ast: unknown, variables: Variable[], index: Map<string, number>): string | undefined {
  let problem: string | undefined;
  const walk = (x: unknown, inBody: boolean): void => {
    if (problem) return;
    if (Array.isArray(x)) {
      for (const y of x) walk(y, inBody);
      return;
    }
    if (!isNode(x)) return;
    if ((x.op === "rcall" || x.op === "call") && Array.isArray(x.args) && x.args[0] === "matches") {
      problem =
        "matches() is not allowed: JavaScript's regular expressions can backtrack for minutes on a short input; use contains(), startsWith() or endsWith()";
      return;
    }
    if (x.op === "rcall" && Array.isArray(x.args) && COMPREHENSIONS.has(x.args[0] as string)) {
      if (inBody) {
        problem = `a ${String(x.args[0])}() inside another comprehension is not allowed (its cost is the product of the lists' lengths)`;
        return;
      }
      walk(x.args[1], false);
      walk(x.args[2], true);
      return;
    }
    if (inBody && x.op === "." && Array.isArray(x.args)) {
      const [target, field] = x.args as [unknown, unknown];
      if (isNode(target) && target.op === "id" && typeof field === "string") {
        const v = index.get(target.args as string);
        const dtype = v === undefined ? undefined : variables[v]?.fields.find((f) => f.name === field)?.dtype;
        if (dtype?.startsWith("list<")) {
          problem = `the list ${String(target.args)}.${field} cannot be read inside a comprehension's body (its cost is the product of the lists' lengths)`;
          return;
        }
      }
    }
    walk(x.args, inBody);
  };
  walk(ast, false);
  return problem;
}

/** Every `variable.field` an expression reads; a bare variable reads all its fields. */
function readsOf(ast: unknown, variables: Variable[], index: Map<string, number>): Read[] {
  const reads = new Map<string, Read>();
  const add = (variable: number, field: string) => {
    const variableName = variables[variable]?.name ?? "";
    const label = `${variableName}.${field}`;
    reads.set(label, { variable, variableName, field, label });
  };
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) {
      for (const y of x) walk(y);
      return;
    }
    if (!isNode(x)) return;
    if (x.op === "." && Array.isArray(x.args)) {
      const [target, field] = x.args as [unknown, unknown];
      if (isNode(target) && target.op === "id" && typeof field === "string") {
        const v = index.get(target.args as string);
        if (v !== undefined) {
          add(v, field);
          return;
        }
      }
    }
    if (x.op === "id" && typeof x.args === "string") {
      const v = index.get(x.args);
      if (v !== undefined) for (const f of variables[v]?.fields ?? []) add(v, f.name);
      return;
    }
    walk(x.args);
  };
  walk(ast);
  return [...reads.values()];
}

/** Compiled views by view id, version and input types, so a registry change of an input recompiles. */
const compiled = new Map<string, CompiledView>();
const MAX_COMPILED = 2_000;

/**
 * The compiled form of a stored view version, from the cache when held. A version that no longer
 * compiles (an input's type changed, or it was removed) is `broken`: every row it computes gets
 * null with the problem as reason, never an error of the whole request.
 */
export function compiledVersion(
  viewId: string,
  version: number,
  spec: OnDemandViewSpec,
  inputTypes: InputTypes,
): CompiledView {
  const signature = spec.inputs.map((ref) => {
    const [view = "", feature = ""] = ref.split(":");
    return inputTypes.get(view)?.get(feature) ?? "-";
  });
  const key = `${viewId}:${version}:${signature.join(",")}`;
  let view = compiled.get(key);
  if (!view) {
    try {
      view = compileOnDemand(spec, inputTypes);
    } catch (e) {
      view = { variables: [], fields: new Map(), broken: problemOf(e) };
    }
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(key, view);
  }
  return view;
}

/**
 * Where the rows' inputs come from. Values are in stored form (online or offline) or null when
 * absent; `feature` is asked only for inputs an evaluated expression reads.
 */
export interface RowInputs {
  rowCount: number;
  feature(view: string, feature: string, row: number): unknown;
  request(field: string, row: number): unknown;
}

/** One computed feature: a value per row in online form, and why it is null where it failed. */
export interface ComputedColumn {
  values: unknown[];
  /** Per row: null where the value was computed, else why the value is null. */
  reasons: (string | null)[];
}

const NULL = Symbol("null");

/** Computes `names` (fields of the view) for every row. */
export function evaluateOnDemand(
  view: CompiledView,
  names: string[],
  rows: RowInputs,
): Map<string, ComputedColumn> {
  const n = rows.rowCount;
  const out = new Map<string, ComputedColumn>();
  const fields = names.map((name) => {
    const f = view.fields.get(name);
    const column = { values: new Array<unknown>(n).fill(null), reasons: new Array<string | null>(n) };
    out.set(name, column);
    return { f, column };
  });
  if (view.broken !== undefined) {
    const reason = `the view's expressions no longer compile: ${view.broken}`;
    for (const { column } of fields) column.reasons.fill(reason);
    return out;
  }
  // The fields each variable must carry: those any requested expression reads.
  const needed = view.variables.map(() => new Set<string>());
  for (const { f } of fields) for (const r of f?.reads ?? []) needed[r.variable]?.add(r.field);
  const plan = view.variables.map((v, i) => ({
    v,
    isRequest: v.name === REQUEST_VARIABLE,
    fields: v.fields.filter((f) => needed[i]?.has(f.name)),
  }));
  const context: Record<string, Record<string, unknown>> = {};
  for (let row = 0; row < n; row++) {
    for (const { v, isRequest, fields: vf } of plan) {
      const obj = new v.ctor();
      for (const f of vf) {
        const raw = isRequest ? rows.request(f.name, row) : rows.feature(v.name, f.name, row);
        if (raw === null || raw === undefined) obj[f.name] = NULL;
        else {
          try {
            obj[f.name] = toCel(f.dtype, raw);
          } catch (e) {
            obj[f.name] = e instanceof ConversionError ? e : new ConversionError(String(e));
          }
        }
      }
      context[v.name] = obj;
    }
    for (const { f, column } of fields) {
      if (!f) {
        column.reasons[row] = "no such field";
        continue;
      }
      column.reasons[row] = computeInto(f, context, column.values, row);
    }
  }
  return out;
}

/** Evaluates one field for the row in `context`; returns null on success, else the reason. */
function computeInto(
  f: CompiledField,
  context: Record<string, Record<string, unknown>>,
  values: unknown[],
  row: number,
): string | null {
  for (const r of f.reads) {
    const value = context[r.variableName]?.[r.field];
    if (value === NULL) return `${r.label} is null`;
    if (value instanceof ConversionError) return `${r.label}: ${value.message}`;
  }
  let result: unknown;
  try {
    result = f.run(context);
  } catch (e) {
    return problemOf(e);
  }
  try {
    values[row] = fromCel(f.dtype, result);
    return null;
  } catch (e) {
    return e instanceof ConversionError ? e.message : problemOf(e);
  }
}
