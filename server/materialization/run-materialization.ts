import { and, eq, notInArray, sql } from "drizzle-orm";
import { type Ctx, inTransaction } from "../context";
import { featureViews, materializationRuns } from "../db/schema";
import { InvalidError, NotFoundError } from "../errors";
import { readLatestPerEntity, type SourceRow, viewColumns } from "../offline";
import { getFeatureView } from "../registry";
import { loadRuns, type Run } from "./run-row";
import { safeErrorMessage } from "./safe-error";

export interface RunOptions {
  /** Rows per source fetch and per online write. */
  batchSize?: number;
}

/**
 * The job body: materializes one run. The run row is the source of truth: a run that already
 * succeeded (or was cancelled) is left alone, so a double delivery is harmless; otherwise it is
 * claimed (running, attempts + 1), streamed from the source into the online store batch by batch
 * with progress on the row, and finished in one transaction that also moves the view's watermark.
 * On failure the row says why and the error is rethrown for the queue to retry; the watermark
 * does not move. A run cancelled while running stops at its next batch boundary, stays cancelled
 * and leaves the watermark where it was.
 */
export async function runMaterialization(ctx: Ctx, runId: string, opts: RunOptions = {}): Promise<Run> {
  const [found] = await loadRuns(ctx.db, [runId]);
  if (!found) throw new NotFoundError(`materialization run ${runId} not found`, "runId");
  if (found.status === "succeeded" || found.status === "cancelled") return found;

  const [claimed] = await ctx.db
    .update(materializationRuns)
    .set({
      status: "running",
      attempts: sql`${materializationRuns.attempts} + 1`,
      startedAt: new Date(),
      finishedAt: null,
      error: null,
      rowsRead: 0,
      rowsWritten: 0,
    })
    .where(
      and(
        eq(materializationRuns.id, runId),
        notInArray(materializationRuns.status, ["succeeded", "cancelled"]),
      ),
    )
    .returning();
  if (!claimed) return (await loadRuns(ctx.db, [runId]))[0] ?? found;
  const run: Run = { ...found, ...claimed };

  let stepName = "loading the feature view";
  try {
    const view = await getFeatureView({
      ctx,
      input: { project: run.project, name: run.featureView, version: run.featureViewVersion },
    });
    if (view.entities.length !== view.spec.entities.length)
      throw new InvalidError(
        `feature view "${view.name}" v${view.version} names an entity that no longer exists`,
      );
    const columns = viewColumns(view.spec.fields, view.entities);

    let rowsRead = 0;
    let rowsWritten = 0;
    stepName = `reading source "${view.source.name}"`;
    const batches = readLatestPerEntity(
      ctx.offline,
      run.project,
      view.source,
      columns,
      { start: run.startTs, end: run.endTs },
      opts,
    );
    for await (const batch of prefetched(batches)) {
      stepName = "writing to the online store";
      const res = await ctx.online.write(run.project, view.name, batch.map(toOnlineRow));
      rowsRead += batch.length;
      rowsWritten += res.written;
      stepName = "recording progress";
      const [still] = await ctx.db
        .update(materializationRuns)
        .set({ rowsRead, rowsWritten })
        .where(and(eq(materializationRuns.id, run.id), eq(materializationRuns.status, "running")))
        .returning({ id: materializationRuns.id });
      // Cancelled meanwhile (cancel-run.ts): stop at this batch boundary, leaving the row as is.
      if (!still) return await current(ctx, run);
      stepName = `reading source "${view.source.name}"`;
    }

    stepName = "recording success";
    return await inTransaction(ctx, async (tx) => {
      const [done] = await tx.db
        .update(materializationRuns)
        .set({ status: "succeeded", finishedAt: new Date(), rowsRead, rowsWritten, error: null })
        .where(and(eq(materializationRuns.id, run.id), eq(materializationRuns.status, "running")))
        .returning();
      // Cancelled after the last batch: the run stays cancelled and the watermark stays put.
      if (!done) return current(tx, run);
      // greatest() ignores a null watermark; a run over an older window never moves it back.
      await tx.db
        .update(featureViews)
        .set({
          materializedUntil: sql`greatest(${featureViews.materializedUntil}, ${run.endTs.toISOString()}::timestamptz)`,
        })
        .where(eq(featureViews.id, run.featureViewId));
      return { ...run, ...done };
    });
  } catch (e) {
    const message = safeErrorMessage(stepName, e);
    console.error(
      `materialization run ${run.id} (${run.project}/${run.featureView}) failed while ${stepName}:`,
      e instanceof Error ? (e.stack ?? e.message) : e,
    );
    await ctx.db
      .update(materializationRuns)
      .set({ status: "failed", error: message, finishedAt: new Date() })
      // A cancelled run stays cancelled.
      .where(and(eq(materializationRuns.id, run.id), eq(materializationRuns.status, "running")))
      .catch((err: unknown) => console.error(`could not record the failure of run ${run.id}:`, err));
    throw e;
  }
}

/** The run as its row now stands (the claimed copy when the row is gone). */
async function current(ctx: Ctx, run: Run): Promise<Run> {
  return (await loadRuns(ctx.db, [run.id]))[0] ?? run;
}

function toOnlineRow(r: SourceRow) {
  return { entityKey: r.entityKey, values: r.values, eventTs: r.eventTs };
}

/**
 * Fetches the next batch while the caller writes the current one, so source reads and online
 * writes overlap. Closing early (break or error) waits out the fetch in flight, then closes the
 * source, which frees its connection.
 */
async function* prefetched<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = source.next();
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = source.next();
      // Handled when awaited above or in finally; this only keeps it from counting as unhandled.
      next.catch(() => {});
      yield r.value;
    }
  } finally {
    await next.catch(() => {});
    await source.return(undefined);
  }
}
