import "server-only";
import { and, asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import type { ProjectRow } from "../auth/authorize";
import { type Ctx, inTransaction } from "../core/context";
import { ConflictError, InvalidError, NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { uniquely } from "../core/unique";
import { entities, projects, streamViews, streamViewVersions } from "../db/schema";
import { defineOperation } from "../operations/define";
import { refuseServedNameTaken } from "../registry/served-names";
import { StreamViewOutput, StreamViewSpec } from "./schemas";

/**
 * Stream views in the registry (docs/adr/0037-stream-aggregations.md): a head (stream_views) and
 * immutable versions (stream_view_versions), written with their audit row in one transaction. An
 * update names the version it edits (compare-and-set, as feature views do).
 */

const CreateInput = z.object({ project: Name, spec: StreamViewSpec });
const UpdateInput = z.object({
  project: Name,
  expectedVersion: z.number().int().positive(),
  spec: StreamViewSpec,
});
const GetInput = z.object({ project: Name, name: Name, version: z.number().int().positive().optional() });

/** Join keys of the spec's entities, in its order; an unknown entity is the input's fault. */
async function joinKeysOf(ctx: Ctx, projectId: string, names: string[]): Promise<string[]> {
  const rows = await ctx.db
    .select({ name: entities.name, joinKey: entities.joinKey })
    .from(entities)
    .where(and(eq(entities.projectId, projectId), inArray(entities.name, names)));
  const byName = new Map(rows.map((r) => [r.name, r.joinKey]));
  return names.map((n, i) => {
    const k = byName.get(n);
    if (k === undefined)
      throw new InvalidError(`spec.entities.${i}: entity "${n}" does not exist`, `spec.entities.${i}`);
    return k;
  });
}

/**
 * A stream view reads only its own project's streams: the key starts with "<project>:". Without
 * this, any editor could point a view at another project's events (one Redis serves every project)
 * and have them aggregated and appended to an offline table they can read.
 */
function checkStreamKey(project: string, key: string): void {
  if (!key.startsWith(`${project}:`))
    throw new InvalidError(
      `spec.stream.key: a stream key of project "${project}" must start with "${project}:" (got "${key.slice(0, 80)}")`,
      "spec.stream.key",
    );
}

function headOf(spec: StreamViewSpec) {
  return {
    name: spec.name,
    description: spec.description,
    tags: spec.tags,
    owner: spec.owner,
    streamAdapter: spec.stream.adapter,
    streamKey: spec.stream.key,
    tileSeconds: spec.tileSeconds,
  };
}

async function load(
  ctx: Ctx,
  p: Pick<ProjectRow, "id" | "name">,
  name: string,
  version?: number,
): Promise<StreamViewOutput> {
  const [head] = await ctx.db
    .select()
    .from(streamViews)
    .where(and(eq(streamViews.projectId, p.id), eq(streamViews.name, name)))
    .limit(1);
  if (!head) throw new NotFoundError(`stream view "${name}" not found in project "${p.name}"`, "name");
  const [row] = await ctx.db
    .select()
    .from(streamViewVersions)
    .where(
      and(
        eq(streamViewVersions.streamViewId, head.id),
        eq(streamViewVersions.version, version ?? head.currentVersion),
      ),
    )
    .limit(1);
  if (!row) throw new NotFoundError(`stream view "${name}" has no version ${version}`, "version");
  const spec = StreamViewSpec.parse(row.spec);
  return {
    id: head.id,
    name: head.name,
    version: row.version,
    currentVersion: head.currentVersion,
    spec,
    joinKeys: await joinKeysOf(ctx, p.id, spec.entities),
    createdBy: row.createdBy,
    createdAt: head.createdAt,
    updatedAt: head.updatedAt,
  };
}

function actorName(ctx: Ctx): string {
  return ctx.actor.kind === "anonymous" ? "anonymous" : ctx.actor.name;
}

export const createStreamViewOp = defineOperation({
  name: "streamViews.create",
  summary: "Register a stream view: windowed aggregations per entity over a Redis Stream.",
  kind: "mutation",
  access: "definitions.write",
  input: CreateInput,
  output: StreamViewOutput,
  run: ({ ctx, input: { spec }, project: p }) =>
    inTransaction(ctx, async (tx) => {
      checkStreamKey(p.name, spec.stream.key);
      await joinKeysOf(tx, p.id, spec.entities);
      await refuseServedNameTaken(tx, p.id, spec.name, "stream view", "spec.name");
      const [head] = await uniquely(`stream view "${spec.name}"`, () =>
        tx.db
          .insert(streamViews)
          .values({ ...headOf(spec), projectId: p.id, currentVersion: 1 })
          .returning({ id: streamViews.id }),
      );
      if (!head) throw new Error("insert returned no row");
      await tx.db
        .insert(streamViewVersions)
        .values({ streamViewId: head.id, version: 1, spec, createdBy: actorName(tx) });
      const after = await load(tx, p, spec.name);
      await recordAudit(tx, {
        project: p,
        action: "stream_view.create",
        objectType: "stream_view",
        objectName: spec.name,
        after,
      });
      return after;
    }),
});
export const createStreamView = createStreamViewOp.call;

export const updateStreamViewOp = defineOperation({
  name: "streamViews.update",
  summary: "Write a new version of a stream view (naming the version it edits); its tile size is fixed.",
  kind: "mutation",
  access: "definitions.write",
  input: UpdateInput,
  output: StreamViewOutput,
  run: ({ ctx, input: { spec, expectedVersion }, project: p }) =>
    inTransaction(ctx, async (tx) => {
      const before = await load(tx, p, spec.name);
      if (before.currentVersion !== expectedVersion)
        throw new ConflictError(
          `stream view "${spec.name}" is at version ${before.currentVersion}, not ${expectedVersion}: reload and edit again`,
          "expectedVersion",
        );
      if (spec.tileSeconds !== before.spec.tileSeconds)
        throw new InvalidError(
          `spec.tileSeconds: the tile size of a stream view cannot change (${before.spec.tileSeconds} s): its stored tiles are cut by it`,
          "spec.tileSeconds",
        );
      checkStreamKey(p.name, spec.stream.key);
      await joinKeysOf(tx, p.id, spec.entities);
      const version = before.currentVersion + 1;
      // the compare-and-set: a concurrent update that got here first moved current_version
      const moved = await tx.db
        .update(streamViews)
        .set({ ...headOf(spec), currentVersion: version, updatedAt: new Date() })
        .where(and(eq(streamViews.id, before.id), eq(streamViews.currentVersion, expectedVersion)))
        .returning({ id: streamViews.id });
      if (moved.length === 0)
        throw new ConflictError(
          `stream view "${spec.name}" changed meanwhile: reload and edit again`,
          "expectedVersion",
        );
      await tx.db
        .insert(streamViewVersions)
        .values({ streamViewId: before.id, version, spec, createdBy: actorName(tx) });
      const after = await load(tx, p, spec.name);
      await recordAudit(tx, {
        project: p,
        action: "stream_view.update",
        objectType: "stream_view",
        objectName: spec.name,
        before,
        after,
      });
      return after;
    }),
});
export const updateStreamView = updateStreamViewOp.call;

export const getStreamViewOp = defineOperation({
  name: "streamViews.get",
  summary: "One stream view: its current version, or the version asked for.",
  kind: "query",
  access: "definitions.read",
  // quiver demo-stream reads the view it feeds
  doors: ["trpc", "rest", "cli"],
  input: GetInput,
  output: StreamViewOutput,
  run: ({ ctx, input: { name, version }, project: p }) => load(ctx, p, name, version),
});
export const getStreamView = getStreamViewOp.call;

export const listStreamViewsOp = defineOperation({
  name: "streamViews.list",
  summary: "A project's stream views at their current versions, by name.",
  kind: "query",
  access: "definitions.read",
  input: z.object({ project: Name }),
  output: z.array(StreamViewOutput),
  run: async ({ ctx, project: p }) => {
    const heads = await ctx.db
      .select({ name: streamViews.name })
      .from(streamViews)
      .where(eq(streamViews.projectId, p.id))
      .orderBy(asc(streamViews.name));
    const out: StreamViewOutput[] = [];
    for (const h of heads) out.push(await load(ctx, p, h.name));
    return out;
  },
});
export const listStreamViews = listStreamViewsOp.call;

export const deleteStreamViewOp = defineOperation({
  name: "streamViews.delete",
  summary: "Delete a stream view and its versions (its tiles in Redis expire after the retention).",
  kind: "mutation",
  access: "definitions.write",
  input: z.object({ project: Name, name: Name }),
  output: z.object({ deleted: z.string() }),
  run: ({ ctx, input: { name }, project: p }) =>
    inTransaction(ctx, async (tx) => {
      const before = await load(tx, p, name);
      await tx.db.delete(streamViews).where(eq(streamViews.id, before.id));
      await recordAudit(tx, {
        project: p,
        action: "stream_view.delete",
        objectType: "stream_view",
        objectName: name,
        before,
      });
      return { deleted: name };
    }),
});
export const deleteStreamView = deleteStreamViewOp.call;

/** Every stream view of every project at its current version, for the stream worker (trusted: no caller). */
export async function allStreamViews(
  ctx: Ctx,
): Promise<(StreamViewOutput & { project: string; projectId: string })[]> {
  const heads = await ctx.db
    .select({ name: streamViews.name, projectId: projects.id, project: projects.name })
    .from(streamViews)
    .innerJoin(projects, eq(projects.id, streamViews.projectId))
    .orderBy(asc(projects.name), asc(streamViews.name));
  const out: (StreamViewOutput & { project: string; projectId: string })[] = [];
  for (const h of heads) {
    const v = await load(ctx, { id: h.projectId, name: h.project }, h.name);
    out.push({ ...v, project: h.project, projectId: h.projectId });
  }
  return out;
}

/**
 * The stream views of a project among `names` (current versions, by name), for retrieval; names
 * that are not stream views are absent. One query when none is.
 */
export async function streamViewsNamed(
  ctx: Ctx,
  project: { id: string; name: string },
  names: string[],
): Promise<Map<string, StreamViewOutput>> {
  if (names.length === 0) return new Map();
  const heads = await ctx.db
    .select({ name: streamViews.name })
    .from(streamViews)
    .where(and(eq(streamViews.projectId, project.id), inArray(streamViews.name, names)));
  const out = new Map<string, StreamViewOutput>();
  for (const h of heads) out.set(h.name, await load(ctx, project, h.name));
  return out;
}
