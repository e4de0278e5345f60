import type { OnDemandViewSpec } from "./spec";

/**
 * What changed between two versions of an on-demand view, pure (the page's diff reads it).
 * Inputs, request fields and output fields are matched by name, not position, so reordering
 * rows reads as one "order" change instead of every row changing.
 */
export interface OnDemandChange {
  /** Where: "description", "inputs", "requestFields.boost.dtype", "fields.boosted.expression", "tags.team". */
  path: string;
  kind: "added" | "removed" | "changed";
  before?: unknown;
  after?: unknown;
}

type Spec = Pick<
  OnDemandViewSpec,
  "name" | "inputs" | "requestFields" | "fields" | "description" | "tags" | "owner"
>;

export function diffOnDemandSpecs(a: Spec, b: Spec): OnDemandChange[] {
  const changes: OnDemandChange[] = [];
  for (const key of ["name", "description", "owner"] as const)
    if (a[key] !== b[key]) changes.push({ path: key, kind: "changed", before: a[key], after: b[key] });
  const inA = new Set(a.inputs);
  const inB = new Set(b.inputs);
  for (const ref of a.inputs)
    if (!inB.has(ref)) changes.push({ path: `inputs.${ref}`, kind: "removed", before: ref });
  for (const ref of b.inputs)
    if (!inA.has(ref)) changes.push({ path: `inputs.${ref}`, kind: "added", after: ref });
  diffRows("requestFields", a.requestFields, b.requestFields, ["dtype"], changes);
  diffRows("fields", a.fields, b.fields, ["dtype", "expression", "description"], changes);
  diffRecord("tags", a.tags, b.tags, changes);
  return changes;
}

function diffRows<R extends { name: string }>(
  path: string,
  a: R[],
  b: R[],
  keys: (keyof R & string)[],
  out: OnDemandChange[],
) {
  const before = new Map(a.map((r) => [r.name, r]));
  const after = new Map(b.map((r) => [r.name, r]));
  for (const [name, r] of before) {
    const s = after.get(name);
    if (!s) {
      out.push({ path: `${path}.${name}`, kind: "removed", before: r });
      continue;
    }
    for (const k of keys)
      if (r[k] !== s[k])
        out.push({ path: `${path}.${name}.${k}`, kind: "changed", before: r[k], after: s[k] });
  }
  for (const [name, s] of after)
    if (!before.has(name)) out.push({ path: `${path}.${name}`, kind: "added", after: s });
  const order = (rows: R[], other: Map<string, R>) =>
    rows
      .filter((r) => other.has(r.name))
      .map((r) => r.name)
      .join(",");
  if (order(a, after) !== order(b, before))
    out.push({
      path,
      kind: "changed",
      before: a.map((r) => r.name).join(", "),
      after: b.map((r) => r.name).join(", "),
    });
}

function diffRecord(
  path: string,
  a: Record<string, string>,
  b: Record<string, string>,
  out: OnDemandChange[],
) {
  for (const [k, v] of Object.entries(a)) {
    if (!(k in b)) out.push({ path: `${path}.${k}`, kind: "removed", before: v });
    else if (b[k] !== v) out.push({ path: `${path}.${k}`, kind: "changed", before: v, after: b[k] });
  }
  for (const [k, v] of Object.entries(b))
    if (!(k in a)) out.push({ path: `${path}.${k}`, kind: "added", after: v });
}
