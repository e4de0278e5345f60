import "server-only";
import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import { Name } from "../core/name";
import { streamViewVersions } from "../db/schema";
import { defineOperation } from "../operations/define";
import { VersionDiff } from "../registry/outputs";
import { getStreamView } from "./registry";
import type { StreamViewSpec } from "./schemas";

/** A stream view's history: its versions and what changed between two (as feature views have). */

export const listStreamViewVersionsOp = defineOperation({
  name: "streamViews.versions",
  summary: "A stream view's versions, newest first.",
  kind: "query",
  access: "definitions.read",
  input: z.object({ project: Name, name: Name }),
  output: z.array(z.object({ version: z.number(), createdAt: z.date(), createdBy: z.string() })),
  run: async ({ ctx, input }) => {
    const view = await getStreamView({ ctx, input });
    return ctx.db
      .select({
        version: streamViewVersions.version,
        createdAt: streamViewVersions.createdAt,
        createdBy: streamViewVersions.createdBy,
      })
      .from(streamViewVersions)
      .where(eq(streamViewVersions.streamViewId, view.id))
      .orderBy(desc(streamViewVersions.version));
  },
});
export const listStreamViewVersions = listStreamViewVersionsOp.call;

type Change = z.output<typeof VersionDiff>["changes"][number];

const SCALARS = [
  "timestampField",
  "eventIdField",
  "tileSeconds",
  "allowedLatenessSeconds",
  "description",
  "owner",
] as const;

/** A structural diff: aggregations matched by name (not position), tags by key, entities as a list. */
export function diffStreamSpecs(a: StreamViewSpec, b: StreamViewSpec): Change[] {
  const changes: Change[] = [];
  const changed = (path: string, before: unknown, after: unknown) =>
    changes.push({ path, kind: "changed", before, after });
  if (a.stream.key !== b.stream.key) changed("stream.key", a.stream.key, b.stream.key);
  if (a.stream.adapter !== b.stream.adapter) changed("stream.adapter", a.stream.adapter, b.stream.adapter);
  for (const k of SCALARS) if (a[k] !== b[k]) changed(k, a[k], b[k]);
  if (a.entities.join(",") !== b.entities.join(",")) changed("entities", a.entities, b.entities);
  for (const [k, v] of Object.entries(a.tags)) {
    if (!(k in b.tags)) changes.push({ path: `tags.${k}`, kind: "removed", before: v });
    else if (b.tags[k] !== v) changed(`tags.${k}`, v, b.tags[k]);
  }
  for (const [k, v] of Object.entries(b.tags))
    if (!(k in a.tags)) changes.push({ path: `tags.${k}`, kind: "added", after: v });
  const after = new Map(b.aggregations.map((g) => [g.name, g]));
  const before = new Map(a.aggregations.map((g) => [g.name, g]));
  for (const [name, f] of before) {
    const g = after.get(name);
    if (!g) {
      changes.push({ path: `aggregations.${name}`, kind: "removed", before: f });
      continue;
    }
    for (const k of ["function", "column", "windowSeconds", "kind"] as const)
      if (f[k] !== g[k]) changed(`aggregations.${name}.${k}`, f[k], g[k]);
  }
  for (const [name, g] of after)
    if (!before.has(name)) changes.push({ path: `aggregations.${name}`, kind: "added", after: g });
  return changes;
}

export const diffStreamViewVersionsOp = defineOperation({
  name: "streamViews.diff",
  summary: "What changed between two versions of a stream view.",
  kind: "query",
  access: "definitions.read",
  input: z.object({
    project: Name,
    name: Name,
    from: z.number().int().positive(),
    to: z.number().int().positive(),
  }),
  output: VersionDiff,
  run: async ({ ctx, input: { project, name, from, to } }) => {
    const [a, b] = await Promise.all([
      getStreamView({ ctx, input: { project, name, version: from } }),
      getStreamView({ ctx, input: { project, name, version: to } }),
    ]);
    return { from, to, changes: diffStreamSpecs(a.spec, b.spec) };
  },
});
export const diffStreamViewVersions = diffStreamViewVersionsOp.call;
