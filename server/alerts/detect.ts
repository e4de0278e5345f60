import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Ctx } from "../core/context";
import { inTransaction } from "../core/context";
import type { IncidentCause } from "../core/vocabulary";
import { alertDeliveries, alertIncidents, featureViews, projects } from "../db/schema";
import { getFreshness, type ViewFreshness } from "../freshness/get-freshness";
import { breachCause } from "./cause";
import { createDeliveries } from "./deliveries";
import { incidentPayload } from "./payload";

/**
 * One detection pass over every project's views: opens an incident for a view entering breach and
 * closes the open one of a view that left it, each with its deliveries in the same transaction.
 * Safe to run in any number of processes at once: the partial unique index allows one open
 * incident per view (a second insert does nothing), a close only closes a row still open, and
 * only the transaction that wrote the change creates deliveries. Answers what it changed.
 */
export async function detectIncidents(
  ctx: Ctx,
  now = new Date(),
): Promise<{ opened: number; closed: number }> {
  const all = await ctx.db
    .select({ id: projects.id, name: projects.name })
    .from(projects)
    .orderBy(projects.name);
  let opened = 0;
  let closed = 0;
  for (const p of all) {
    try {
      const r = await detectInProject(ctx, p, now);
      opened += r.opened;
      closed += r.closed;
    } catch (e) {
      // One project's trouble (a view deleted mid-pass, say) must not stop the others' alerts.
      ctx.log.error({ err: e, project: p.name }, "incident detection failed for a project");
    }
  }
  return { opened, closed };
}

async function detectInProject(
  ctx: Ctx,
  p: { id: string; name: string },
  now: Date,
): Promise<{ opened: number; closed: number }> {
  const views = await getFreshness({ ctx, input: { project: p.name }, now });
  if (views.length === 0) return { opened: 0, closed: 0 };
  const ids = new Map(
    (
      await ctx.db
        .select({ id: featureViews.id, name: featureViews.name })
        .from(featureViews)
        .where(eq(featureViews.projectId, p.id))
    ).map((v) => [v.name, v.id]),
  );
  const open = new Map(
    (
      await ctx.db
        .select()
        .from(alertIncidents)
        .where(and(eq(alertIncidents.projectId, p.id), isNull(alertIncidents.closedAt)))
    ).map((i) => [i.featureViewId, i]),
  );
  let opened = 0;
  let closed = 0;
  for (const view of views) {
    const viewId = ids.get(view.featureView);
    if (!viewId) continue;
    const cause = breachCause(view, now);
    const current = open.get(viewId);
    if (cause && !current) opened += await openIncident(ctx, p, viewId, view, cause, now);
    else if (!cause && current) closed += await closeIncident(ctx, p, view.featureView, current.id, now);
  }
  return { opened, closed };
}

function detailsOf(view: ViewFreshness): Record<string, unknown> {
  return {
    state: view.status,
    slaSeconds: view.slaSeconds,
    lagSeconds: view.lagSeconds,
    watermark: view.watermark?.toISOString() ?? null,
    newestSourceEvent: view.newestSourceEvent?.toISOString() ?? null,
    lastRun: view.lastRun
      ? { id: view.lastRun.id, status: view.lastRun.status, error: view.lastRun.error }
      : null,
  };
}

async function openIncident(
  ctx: Ctx,
  p: { id: string; name: string },
  viewId: string,
  view: ViewFreshness,
  cause: IncidentCause,
  now: Date,
): Promise<number> {
  return inTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .insert(alertIncidents)
      .values({ projectId: p.id, featureViewId: viewId, cause, details: detailsOf(view), openedAt: now })
      .onConflictDoNothing()
      .returning();
    // Another detector opened it first: its transaction sends the alert.
    if (!row) return 0;
    const event = cause === "failed_run" ? "failed_run" : "breach";
    await createDeliveries(tx, {
      projectId: p.id,
      featureViewId: viewId,
      incidentId: row.id,
      event,
      dedupeKey: `incident:${row.id}:${event}`,
      payload: incidentPayload({ event, project: p.name, featureView: view.featureView, incident: row }),
    });
    tx.log.info({ project: p.name, featureView: view.featureView, cause }, "incident opened");
    return 1;
  });
}

/**
 * Closes the incident and sends `recovery` to the rules that were told of its opening and listen
 * to recoveries: a recovery is only news to whoever heard of the breach.
 */
async function closeIncident(
  ctx: Ctx,
  p: { id: string; name: string },
  view: string,
  incidentId: string,
  now: Date,
): Promise<number> {
  return inTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .update(alertIncidents)
      .set({ closedAt: sql`greatest(${alertIncidents.openedAt}, ${now.toISOString()}::timestamptz)` })
      .where(and(eq(alertIncidents.id, incidentId), isNull(alertIncidents.closedAt)))
      .returning();
    if (!row) return 0;
    const told = await tx.db
      .selectDistinct({ ruleId: alertDeliveries.ruleId })
      .from(alertDeliveries)
      .where(and(eq(alertDeliveries.incidentId, row.id), sql`${alertDeliveries.event} <> 'recovery'`));
    if (told.length > 0)
      await createDeliveries(tx, {
        projectId: p.id,
        featureViewId: row.featureViewId,
        incidentId: row.id,
        event: "recovery",
        dedupeKey: `incident:${row.id}:recovery`,
        payload: incidentPayload({ event: "recovery", project: p.name, featureView: view, incident: row }),
        ruleIds: told.map((t) => t.ruleId),
      });
    tx.log.info({ project: p.name, featureView: view }, "incident closed");
    return 1;
  });
}
