import "server-only";
import { and, count, desc, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { z } from "zod";
import type { Ctx } from "../core/context";
import type { DeliveryEvent, DeliveryStatus } from "../core/vocabulary";
import { alertDeliveries, alertIncidents, alertRules, featureViews } from "../db/schema";
import { defineOperation } from "../operations/define";
import * as out from "./outputs";
import { ListDeliveriesInput, ListIncidentsInput } from "./schemas";

/**
 * The Alerts page's logs: deliveries (newest first) and incidents (the breach history). Any member
 * may read them: they name rules, views and statuses, never a URL or a secret.
 */

type Delivery = z.infer<typeof out.Delivery>;

async function viewIdOf(ctx: Ctx, projectId: string, name: string): Promise<string | null> {
  const [v] = await ctx.db
    .select({ id: featureViews.id })
    .from(featureViews)
    .where(and(eq(featureViews.projectId, projectId), eq(featureViews.name, name)));
  return v?.id ?? null;
}

export async function listDeliveryRows(
  ctx: Ctx,
  projectId: string,
  f: {
    id?: string;
    status?: DeliveryStatus;
    event?: DeliveryEvent;
    ruleId?: string;
    featureViewId?: string;
    limit?: number;
    offset?: number;
  },
): Promise<Delivery[]> {
  const rows = await ctx.db
    .select({ d: alertDeliveries, rule: alertRules.name, view: featureViews.name })
    .from(alertDeliveries)
    .innerJoin(alertRules, eq(alertRules.id, alertDeliveries.ruleId))
    .leftJoin(featureViews, eq(featureViews.id, alertDeliveries.featureViewId))
    .where(deliveryFilter(projectId, f))
    .orderBy(desc(alertDeliveries.createdAt), desc(alertDeliveries.id))
    .limit(f.limit ?? 50)
    .offset(f.offset ?? 0);
  return rows.map(({ d, rule, view }) => ({
    id: d.id,
    rule,
    ruleId: d.ruleId,
    event: d.event,
    featureView: view ?? (typeof d.payload.featureView === "string" ? d.payload.featureView : null),
    incidentId: d.incidentId,
    status: d.status,
    attempts: d.attempts,
    responseCode: d.responseCode,
    lastError: d.lastError,
    createdAt: d.createdAt,
    lastAttemptAt: d.lastAttemptAt,
    deliveredAt: d.deliveredAt,
    nextAttemptAt: d.status === "pending" ? d.nextAttemptAt : null,
  }));
}

function deliveryFilter(
  projectId: string,
  f: { id?: string; status?: DeliveryStatus; event?: DeliveryEvent; ruleId?: string; featureViewId?: string },
): SQL | undefined {
  return and(
    eq(alertDeliveries.projectId, projectId),
    f.id ? eq(alertDeliveries.id, f.id) : undefined,
    f.status ? eq(alertDeliveries.status, f.status) : undefined,
    f.event ? eq(alertDeliveries.event, f.event) : undefined,
    f.ruleId ? eq(alertDeliveries.ruleId, f.ruleId) : undefined,
    f.featureViewId ? eq(alertDeliveries.featureViewId, f.featureViewId) : undefined,
  );
}

export const listDeliveriesOp = defineOperation({
  name: "alerts.deliveries.list",
  summary: "A project's webhook deliveries, newest first: event, view, status, attempts, response code.",
  kind: "query",
  access: "definitions.read",
  input: ListDeliveriesInput,
  output: out.DeliveryPage,
  run: async ({ ctx, input, project: p }) => {
    const { featureView, ...rest } = input;
    const featureViewId = featureView ? await viewIdOf(ctx, p.id, featureView) : undefined;
    if (featureViewId === null) return { deliveries: [], total: 0 };
    const f = { ...rest, featureViewId };
    const [deliveries, [total]] = await Promise.all([
      listDeliveryRows(ctx, p.id, f),
      ctx.db.select({ n: count() }).from(alertDeliveries).where(deliveryFilter(p.id, f)),
    ]);
    return { deliveries, total: total?.n ?? 0 };
  },
});
export const listDeliveries = listDeliveriesOp.call;

export const listIncidentsOp = defineOperation({
  name: "alerts.incidents.list",
  summary: "Breach history: a project's (or one view's) incidents, newest first, open ones included.",
  kind: "query",
  access: "definitions.read",
  input: ListIncidentsInput,
  output: out.IncidentPage,
  run: async ({ ctx, input, project: p }) => {
    const featureViewId = input.featureView ? await viewIdOf(ctx, p.id, input.featureView) : undefined;
    if (featureViewId === null) return { incidents: [], total: 0 };
    const where = and(
      eq(alertIncidents.projectId, p.id),
      featureViewId ? eq(alertIncidents.featureViewId, featureViewId) : undefined,
      input.open ? isNull(alertIncidents.closedAt) : undefined,
    );
    const [rows, [total]] = await Promise.all([
      ctx.db
        .select({
          i: alertIncidents,
          view: featureViews.name,
          seconds: sql<number>`extract(epoch from (coalesce(${alertIncidents.closedAt}, now()) - ${alertIncidents.openedAt}))`,
        })
        .from(alertIncidents)
        .innerJoin(featureViews, eq(featureViews.id, alertIncidents.featureViewId))
        .where(where)
        .orderBy(desc(alertIncidents.openedAt), desc(alertIncidents.id))
        .limit(input.limit)
        .offset(input.offset),
      ctx.db.select({ n: count() }).from(alertIncidents).where(where),
    ]);
    return {
      incidents: rows.map(({ i, view, seconds }) => ({
        id: i.id,
        featureView: view,
        cause: i.cause,
        openedAt: i.openedAt,
        closedAt: i.closedAt,
        durationSeconds: Math.max(0, Math.round(Number(seconds))),
        details: i.details,
      })),
      total: total?.n ?? 0,
    };
  },
});
export const listIncidents = listIncidentsOp.call;
