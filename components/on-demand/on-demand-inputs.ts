import type { JoinKey } from "@/components/objects/online-keys";

/**
 * Pure helpers of the on-demand pages: which feature views an on-demand view reads, the join keys
 * a lookup of it needs, and the "Try it" panel's request values typed by the user.
 */

/** "view:feature" split in two. */
export function splitRef(ref: string): { view: string; feature: string } {
  const i = ref.indexOf(":");
  return { view: ref.slice(0, i), feature: ref.slice(i + 1) };
}

/** The feature views the inputs name, each once, in first-use order. */
export function inputViewsOf(inputs: readonly string[]): string[] {
  return [...new Set(inputs.map((r) => splitRef(r).view))];
}

/**
 * The join keys of the entities of the views the inputs read, each once: what a lookup of the
 * on-demand view must send as `entities`.
 */
export function joinKeysOf(
  inputs: readonly string[],
  views: readonly { name: string; entityNames: readonly string[] }[],
  entities: readonly { name: string; joinKey: string; valueType: string }[],
): JoinKey[] {
  const keys = new Map<string, JoinKey>();
  for (const name of inputViewsOf(inputs)) {
    const view = views.find((v) => v.name === name);
    for (const e of view?.entityNames ?? []) {
      const entity = entities.find((x) => x.name === e);
      if (entity && !keys.has(entity.joinKey))
        keys.set(entity.joinKey, { name: entity.joinKey, valueType: entity.valueType });
    }
  }
  return [...keys.values()];
}

/** A value of `dtype` to start the Try it panel and the fetch example with. */
export function exampleRequestValue(dtype: string): unknown {
  if (dtype.startsWith("list<")) return [exampleRequestValue(dtype.slice(5, -1))];
  switch (dtype) {
    case "float32":
    case "float64":
      return 1.5;
    case "int32":
    case "int64":
      return 2;
    case "bool":
      return true;
    case "unix_timestamp":
      return "2026-01-01T00:00:00Z";
    case "bytes":
      return "AQID";
    default:
      return "example";
  }
}

/** The text of one request value in its input. */
export function requestValueText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * One typed request value: numbers for numeric types (int64 beyond 2^53 as decimal text, which the
 * API takes exactly), true/false for bool, JSON for lists, text otherwise; "null" is null.
 */
export function parseRequestValue(text: string, dtype: string): { value: unknown } | { error: string } {
  const t = text.trim();
  if (t === "null") return { value: null };
  if (dtype.startsWith("list<")) {
    try {
      const v: unknown = JSON.parse(t);
      return Array.isArray(v) ? { value: v } : { error: "expected a JSON list, like [1, 2]" };
    } catch {
      return { error: "expected a JSON list, like [1, 2]" };
    }
  }
  if (dtype === "int32" || dtype === "int64") {
    if (!/^-?\d+$/.test(t)) return { error: "expected a whole number" };
    const n = Number(t);
    return { value: Number.isSafeInteger(n) ? n : t };
  }
  if (dtype === "float32" || dtype === "float64") {
    const n = Number(t);
    return t !== "" && Number.isFinite(n) ? { value: n } : { error: "expected a number" };
  }
  if (dtype === "bool") {
    if (t === "true" || t === "false") return { value: t === "true" };
    return { error: "expected true or false" };
  }
  return { value: text };
}

/**
 * The request values of the Try it panel (one text per field) as `request_context`: each field's
 * value repeated for every entity row.
 */
export function requestContextOf(
  fields: readonly { name: string; dtype: string }[],
  text: Record<string, string>,
  rows: number,
): { requestContext: Record<string, unknown[]> } | { error: string } {
  const context: Record<string, unknown[]> = {};
  for (const f of fields) {
    const parsed = parseRequestValue(text[f.name] ?? "", f.dtype);
    if ("error" in parsed) return { error: `request.${f.name}: ${parsed.error}` };
    context[f.name] = Array(rows).fill(parsed.value);
  }
  return { requestContext: context };
}
