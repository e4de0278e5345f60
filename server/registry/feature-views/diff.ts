import "server-only";
import { z } from "zod";
import { Name } from "../../core/name";
import { defineOperation } from "../../operations/define";
import * as out from "../outputs";
import type { FeatureViewSpec } from "../schemas";
import { getFeatureView } from "./get";

export interface SpecChange {
  /** Where, e.g. "ttlSeconds", "fields.conv_rate.dtype", "tags.team". */
  path: string;
  kind: "added" | "removed" | "changed";
  before?: unknown;
  after?: unknown;
}

const SCALARS = [
  "source",
  "ttlSeconds",
  "online",
  "offline",
  "description",
  "owner",
  "freshnessSlaSeconds",
] as const;

/** A structural diff: fields matched by name (not position), tags by key, entities as a list. */
export function diffSpecs(a: FeatureViewSpec, b: FeatureViewSpec): SpecChange[] {
  const changes: SpecChange[] = [];
  if (a.name !== b.name) changes.push({ path: "name", kind: "changed", before: a.name, after: b.name });
  for (const key of SCALARS) {
    if (a[key] !== b[key]) changes.push({ path: key, kind: "changed", before: a[key], after: b[key] });
  }
  if (a.entities.join(",") !== b.entities.join(","))
    changes.push({ path: "entities", kind: "changed", before: a.entities, after: b.entities });
  diffRecord("tags", a.tags, b.tags, changes);

  const before = new Map(a.fields.map((f) => [f.name, f]));
  const after = new Map(b.fields.map((f) => [f.name, f]));
  for (const [name, f] of before) {
    const g = after.get(name);
    if (!g) {
      changes.push({ path: `fields.${name}`, kind: "removed", before: f });
      continue;
    }
    if (f.dtype !== g.dtype)
      changes.push({ path: `fields.${name}.dtype`, kind: "changed", before: f.dtype, after: g.dtype });
    if (f.description !== g.description)
      changes.push({
        path: `fields.${name}.description`,
        kind: "changed",
        before: f.description,
        after: g.description,
      });
    diffRecord(`fields.${name}.tags`, f.tags, g.tags, changes);
  }
  for (const [name, g] of after) {
    if (!before.has(name)) changes.push({ path: `fields.${name}`, kind: "added", after: g });
  }
  const order = (fs: FeatureViewSpec["fields"]) => fs.map((f) => f.name).join(",");
  const common = (fs: FeatureViewSpec["fields"], other: Map<string, unknown>) =>
    fs.filter((f) => other.has(f.name));
  if (order(common(a.fields, after)) !== order(common(b.fields, before)))
    changes.push({ path: "fields", kind: "changed", before: order(a.fields), after: order(b.fields) });
  return changes;
}

function diffRecord(path: string, a: Record<string, string>, b: Record<string, string>, out: SpecChange[]) {
  for (const [k, v] of Object.entries(a)) {
    if (!(k in b)) out.push({ path: `${path}.${k}`, kind: "removed", before: v });
    else if (b[k] !== v) out.push({ path: `${path}.${k}`, kind: "changed", before: v, after: b[k] });
  }
  for (const [k, v] of Object.entries(b))
    if (!(k in a)) out.push({ path: `${path}.${k}`, kind: "added", after: v });
}

export const DiffVersionsInput = z.object({
  project: Name,
  name: Name,
  from: z.number().int().positive(),
  to: z.number().int().positive(),
});

export const diffFeatureViewVersionsOp = defineOperation({
  name: "featureViews.diff",
  summary: "What changed between two versions of a feature view.",
  kind: "query",
  access: "definitions.read",
  input: DiffVersionsInput,
  output: out.VersionDiff,
  run: async ({ ctx, input: { project, name, from, to } }) => {
    const [a, b] = await Promise.all([
      getFeatureView({ ctx, input: { project, name, version: from } }),
      getFeatureView({ ctx, input: { project, name, version: to } }),
    ]);
    return { from, to, changes: diffSpecs(a.spec, b.spec) };
  },
});
export const diffFeatureViewVersions = diffFeatureViewVersionsOp.call;
