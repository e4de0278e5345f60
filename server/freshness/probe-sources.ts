import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Ctx } from "../core/context";
import { dataSources, projects, sourceProbes } from "../db/schema";
import { describeOfflineError, probeSource } from "../offline";

/**
 * Background probes of a project's data sources: newest event time and row count, each under the
 * probe timeout as the project's offline reader, a few at a time, results kept in source_probes.
 * The freshness page only reads that table, so a slow or hostile source never holds a request
 * (docs/adr/0013-offline-isolation.md).
 */

/** Probes at once per project and process: below the project's offline connection limit. */
export const PROBES_AT_ONCE = 2;
/** A probe older than this is refreshed when a page asks for freshness. */
export const PROBE_MAX_AGE_MS = 60_000;

export async function probeProjectSources(ctx: Ctx, projectId: string): Promise<number> {
  const [project] = await ctx.db.select().from(projects).where(eq(projects.id, projectId)).limit(1);
  if (!project) return 0;
  const sources = await ctx.db.select().from(dataSources).where(eq(dataSources.projectId, projectId));
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < sources.length; i = next++) {
      const source = sources[i];
      if (source) await probeOne(ctx, project.name, source);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROBES_AT_ONCE, sources.length) }, worker));
  return sources.length;
}

async function probeOne(ctx: Ctx, project: string, source: typeof dataSources.$inferSelect): Promise<void> {
  const started = Date.now();
  let row: Omit<typeof sourceProbes.$inferInsert, "sourceId" | "durationMs" | "probedAt">;
  try {
    const probe = await probeSource(ctx.offline, project, source);
    row = { status: "ok", newestEventTs: probe.newest, rowCount: probe.rows, error: null };
  } catch (e) {
    const f = describeOfflineError(e, ctx.offline.timeouts.probeMs);
    if (f.kind === "failed") ctx.log.error({ err: e, project, source: source.name }, "source probe failed");
    row = {
      status: f.kind === "timeout" ? "timeout" : "error",
      newestEventTs: null,
      rowCount: null,
      error: f.message,
    };
  }
  const values = { ...row, durationMs: Date.now() - started, probedAt: new Date() };
  await ctx.db
    .insert(sourceProbes)
    .values({ sourceId: source.id, ...values })
    .onConflictDoUpdate({ target: sourceProbes.sourceId, set: values })
    // The source may have been deleted while it was probed.
    .catch((e: unknown) => {
      if ((e as { cause?: { code?: string } }).cause?.code !== "23503") throw e;
    });
}

/** The project's probes, by source id. */
export async function loadProbes(ctx: Ctx, projectId: string) {
  const rows = await ctx.db
    .select({ probe: sourceProbes })
    .from(sourceProbes)
    .innerJoin(dataSources, eq(dataSources.id, sourceProbes.sourceId))
    .where(eq(dataSources.projectId, projectId));
  return new Map(rows.map((r) => [r.probe.sourceId, r.probe]));
}

/** Whether some source of the project has no probe, or one older than maxAgeMs. */
export async function probesStale(
  ctx: Ctx,
  projectId: string,
  maxAgeMs = PROBE_MAX_AGE_MS,
): Promise<boolean> {
  const [row] = await ctx.db
    .select({ n: sql<number>`count(*)::int` })
    .from(dataSources)
    .leftJoin(sourceProbes, eq(sourceProbes.sourceId, dataSources.id))
    .where(
      sql`${dataSources.projectId} = ${projectId} and (${sourceProbes.probedAt} is null or ${sourceProbes.probedAt} < ${new Date(Date.now() - maxAgeMs).toISOString()}::timestamptz)`,
    );
  return (row?.n ?? 0) > 0;
}
