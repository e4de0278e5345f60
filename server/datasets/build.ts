import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Ctx } from "../core/context";
import { inTransaction } from "../core/context";
import { InvalidError } from "../core/errors";
import { datasetFeatureViews, datasets, projects } from "../db/schema";
import { heartbeatIntervalMs, heartbeatTimeoutSeconds, stallLimitMs } from "../materialization/heartbeat";
import { type RunStep, safeErrorMessage } from "../materialization/safe-error";
import { CHUNK_ROWS, chunkRowsFor } from "../offline/historical/engine";
import { countEntityRows, readEntitySlices } from "./entity-source";
import { datasetColumns, joinSlice } from "./join";
import type { DatasetRow } from "./rows";
import { MAX_DATASET_ROWS } from "./schemas";
import { resolveSelection, type Selection } from "./selection";
import { type DatasetWriter, openWriter, removeStorage, type StoredAt, storageFor } from "./storage";

/** Entity rows per slice: one point-in-time join, one write, one progress update, one cancel check. */
export const DEFAULT_SLICE_ROWS = 50_000;

export interface BuildOptions {
  sliceRows?: number;
  /** QUIVER_RUN_HEARTBEAT_TIMEOUT_S unless set; the build beats four times per timeout. */
  heartbeatTimeoutSeconds?: number;
}

export type BuildOutcome = { id: string; status: DatasetRow["status"]; rowsDone: number };

/**
 * The build job's body (docs/adr/0022-point-in-time-retrieval.md, "Saved datasets"). The dataset
 * row is the build's record: a row that is not `queued` is left alone, so a job delivered twice
 * builds once. Otherwise the row is claimed (`building`, heartbeat), the selection resolved again
 * (the versions read are recorded), the entity rows read in slices, each joined point in time and
 * written to storage, with rows_done and the heartbeat after each slice. A row cancelled, deleted
 * or given up by the sweeper meanwhile stops the build at the next slice, and its partial output
 * is removed. At the end: size, `ready`. A failure stores a message safe to show (no value, no
 * SQL) and removes partial output.
 */
export async function buildDataset(
  ctx: Ctx,
  datasetId: string,
  opts: BuildOptions = {},
): Promise<BuildOutcome> {
  const timeoutS = opts.heartbeatTimeoutSeconds ?? heartbeatTimeoutSeconds();
  const [claimed] = await ctx.db
    .update(datasets)
    .set({ status: "building", startedAt: sql`now()`, heartbeatAt: sql`now()`, rowsDone: 0, error: null })
    .where(and(eq(datasets.id, datasetId), eq(datasets.status, "queued")))
    .returning();
  if (!claimed) {
    const [now] = await ctx.db
      .select({ id: datasets.id, status: datasets.status, rowsDone: datasets.rowsDone })
      .from(datasets)
      .where(eq(datasets.id, datasetId));
    return now ?? { id: datasetId, status: "cancelled", rowsDone: 0 };
  }
  const [project] = await ctx.db
    .select({ id: projects.id, name: projects.name })
    .from(projects)
    .where(eq(projects.id, claimed.projectId));
  if (!project) throw new Error(`dataset ${datasetId} has no project`);
  const log = ctx.log.child({ project: project.name, dataset: claimed.name });
  const mine = and(eq(datasets.id, datasetId), eq(datasets.status, "building"));

  let lastSliceAt = Date.now();
  const stallMs = stallLimitMs(ctx.offline.timeouts.scanMs);
  let beating: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (beating || Date.now() - lastSliceAt > stallMs) return;
    beating = ctx.db
      .update(datasets)
      .set({ heartbeatAt: sql`now()` })
      .where(mine)
      .catch((e: unknown) => log.warn({ err: e }, "dataset heartbeat write failed"))
      .finally(() => {
        beating = undefined;
      });
  }, heartbeatIntervalMs(timeoutS));
  timer.unref();

  let step: RunStep = { label: "resolving the features", store: "registry" };
  let stored: StoredAt | undefined;
  let writer: DatasetWriter | undefined;
  const label = `dataset "${claimed.name}"`;
  /** Writes progress while the row is still this build's; false when it is not (stop). */
  const progress = async (set: Partial<typeof datasets.$inferInsert>) => {
    const [still] = await ctx.db
      .update(datasets)
      .set({ ...set, heartbeatAt: sql`now()` })
      .where(mine)
      .returning({ id: datasets.id });
    return still !== undefined;
  };
  const stop = async (): Promise<BuildOutcome> => {
    await writer?.abort();
    if (stored)
      await removeStorage(ctx, project.name, stored).catch((e: unknown) =>
        log.warn({ err: e }, "removing a stopped build's rows failed"),
      );
    const [now] = await ctx.db
      .select({ id: datasets.id, status: datasets.status, rowsDone: datasets.rowsDone })
      .from(datasets)
      .where(eq(datasets.id, datasetId));
    return now ?? { id: datasetId, status: "cancelled", rowsDone: 0 };
  };

  try {
    const selection = await resolveSelection(ctx, project, {
      ...(claimed.features ? { features: claimed.features } : { featureService: serviceNameOf(claimed) }),
      fullFeatureNames: claimed.fullFeatureNames,
    });
    await recordViews(ctx, datasetId, selection);
    const columns = datasetColumns(selection);

    step = { label: "counting the entity rows", store: "offline" };
    const total = await countEntityRows(ctx, project, claimed.entitySource, selection);
    if (total === 0) throw new InvalidError("the entity source gives no rows");
    if (total > MAX_DATASET_ROWS)
      throw new InvalidError(
        `the entity source gives ${total} rows, more than the limit of ${MAX_DATASET_ROWS}`,
      );

    step = { label: "preparing storage", store: "offline" };
    stored = await storageFor(ctx, project.name, claimed, claimed.storageKind);
    if (
      !(await progress({
        rowsTotal: total,
        columns: columns.map((c) => c.name),
        storageLocation: stored.location,
      }))
    )
      return await stop();
    writer = await openWriter(ctx, project.name, stored, columns, label);
    const out = writer;

    let done = 0;
    let stopped = false;
    step = { label: "reading the entity rows", store: "offline" };
    // File-only selections take the DuckDB engine's larger slices (each slice reads the files).
    const fileOnly = chunkRowsFor(selection.pitViews) === CHUNK_ROWS.duckdb;
    const sliceRows = opts.sliceRows ?? (fileOnly ? CHUNK_ROWS.duckdb : DEFAULT_SLICE_ROWS);
    await readEntitySlices(ctx, project, claimed.entitySource, selection, { sliceRows }, async (slice) => {
      step = { label: "joining the features", store: "offline" };
      const n = slice.times.length;
      const values = await joinSlice(ctx, project.name, selection, slice);
      step = { label: `writing ${label}`, store: "offline" };
      await out.write(values, n, slice.offset);
      done += n;
      step = { label: "recording progress", store: "registry" };
      if (!(await progress({ rowsDone: done }))) {
        stopped = true;
        return false;
      }
      lastSliceAt = Date.now();
      step = { label: "reading the entity rows", store: "offline" };
      return true;
    });
    if (stopped) return await stop();

    step = { label: `finishing ${label}`, store: "offline" };
    const size = await out.finish();
    step = { label: "recording success", store: "registry" };
    const [ready] = await ctx.db
      .update(datasets)
      .set({
        status: "ready",
        rowsDone: done,
        sizeBytes: size,
        finishedAt: sql`now()`,
        heartbeatAt: sql`now()`,
      })
      .where(mine)
      .returning({ id: datasets.id, status: datasets.status, rowsDone: datasets.rowsDone });
    // Cancelled or deleted after the last slice: the rows go.
    if (!ready) return await stop();
    log.info({ rows: done, bytes: size }, "dataset built");
    return ready;
  } catch (e) {
    const message = safeErrorMessage(step, e);
    log.error({ err: e, step: step.label }, "dataset build failed");
    await writer?.abort();
    if (stored)
      await removeStorage(ctx, project.name, stored).catch((err: unknown) =>
        log.warn({ err }, "removing a failed build's rows failed"),
      );
    await ctx.db
      .update(datasets)
      .set({ status: "failed", error: message, finishedAt: sql`now()` })
      .where(mine)
      .catch((err: unknown) => log.error({ err }, "could not record the build's failure"));
    throw e;
  } finally {
    clearInterval(timer);
    await beating;
  }
}

function serviceNameOf(row: DatasetRow): string {
  if (row.featureServiceId === null)
    throw new InvalidError(`feature service "${row.featureServiceName ?? "?"}" no longer exists`);
  return row.featureServiceName ?? "";
}

/** The views and versions the build reads (lineage: view -> dataset). */
export async function recordViews(ctx: Ctx, datasetId: string, selection: Selection): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    await tx.db.delete(datasetFeatureViews).where(eq(datasetFeatureViews.datasetId, datasetId));
    await tx.db
      .insert(datasetFeatureViews)
      .values(
        selection.views.map((v) => ({ datasetId, featureViewId: v.id, featureViewVersion: v.version })),
      );
  });
}
