import "server-only";
import { randomUUID } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import type { ProjectRow } from "../auth/authorize";
import { type Actor, actorLabel, type Ctx, inTransaction } from "../core/context";
import { NotFoundError } from "../core/errors";
import { uniquely } from "../core/unique";
import { alertDeliveries, alertRules, featureViews } from "../db/schema";
import { defineOperation } from "../operations/define";
import { sendDueDeliveries } from "./deliveries";
import { listDeliveryRows } from "./list";
import * as out from "./outputs";
import { viewLink } from "./payload";
import { AlertRuleRef, CreateAlertRuleInput, ListAlertRulesInput, UpdateAlertRuleInput } from "./schemas";
import { newRuleSecret, sealSecret } from "./secret-box";
import { checkWebhookUrl } from "./url";

/**
 * Alert rules: which events of a project go to which webhook (docs/adr/0032-alerts.md). Owners
 * only ("alerts.manage"): a rule's URL is a credential, and it makes Quiver call a host.
 */

type RuleRow = typeof alertRules.$inferSelect;
export type AlertRule = z.infer<typeof out.AlertRule>;

function creatorName(actor: Actor): string {
  return actor.kind === "user" ? actor.name : actorLabel(actor);
}

function shown(r: RuleRow, featureView: string | null): AlertRule {
  return {
    id: r.id,
    name: r.name,
    events: r.events,
    featureView,
    format: r.format,
    url: r.url,
    enabled: r.enabled,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** What the audit log keeps of a rule: never the secret; the URL without its query (tokens live there). */
function auditView(r: AlertRule) {
  const u = new URL(r.url);
  return {
    name: r.name,
    events: r.events,
    featureView: r.featureView,
    format: r.format,
    url: `${u.origin}${u.pathname}`,
    enabled: r.enabled,
  };
}

async function viewId(ctx: Ctx, projectId: string, name: string): Promise<string> {
  const [v] = await ctx.db
    .select({ id: featureViews.id })
    .from(featureViews)
    .where(and(eq(featureViews.projectId, projectId), eq(featureViews.name, name)));
  if (!v) throw new NotFoundError(`featureView: feature view "${name}" not found`, "featureView");
  return v.id;
}

async function requireRule(
  ctx: Ctx,
  p: ProjectRow,
  id: string,
): Promise<{ row: RuleRow; view: string | null }> {
  const [found] = await ctx.db
    .select({ row: alertRules, view: featureViews.name })
    .from(alertRules)
    .leftJoin(featureViews, eq(featureViews.id, alertRules.featureViewId))
    .where(and(eq(alertRules.projectId, p.id), eq(alertRules.id, id)))
    .for("update", { of: alertRules });
  if (!found) throw new NotFoundError(`alert rule ${id} not found in project "${p.name}"`, "id");
  return found;
}

export const createAlertRuleOp = defineOperation({
  name: "alerts.rules.create",
  summary: "Create an alert rule (a webhook); its signing secret is answered once.",
  kind: "mutation",
  // Rules are no registry object: no cache of this process holds them.
  writesRegistry: false,
  access: "alerts.manage",
  input: CreateAlertRuleInput,
  output: out.CreatedAlertRule,
  run: async ({ ctx, input, project: p }) => {
    const url = checkWebhookUrl(input.url);
    const secret = newRuleSecret();
    return inTransaction(ctx, async (tx) => {
      const featureViewId = input.featureView ? await viewId(tx, p.id, input.featureView) : null;
      const [row] = await uniquely(`alert rule "${input.name}"`, () =>
        tx.db
          .insert(alertRules)
          .values({
            projectId: p.id,
            name: input.name,
            events: input.events,
            featureViewId,
            format: input.format,
            url,
            secretSealed: sealSecret(secret),
            enabled: input.enabled,
            createdBy: creatorName(tx.actor),
          })
          .returning(),
      );
      if (!row) throw new Error("insert returned no row");
      const rule = shown(row, input.featureView ?? null);
      await recordAudit(tx, {
        project: p,
        action: "alert_rule.create",
        objectType: "alert_rule",
        objectName: rule.name,
        after: auditView(rule),
      });
      return { rule, secret };
    });
  },
});
export const createAlertRule = createAlertRuleOp.call;

export const listAlertRulesOp = defineOperation({
  name: "alerts.rules.list",
  summary: "A project's alert rules, newest first (never their secrets).",
  kind: "query",
  access: "alerts.manage",
  input: ListAlertRulesInput,
  output: z.array(out.AlertRule),
  run: async ({ ctx, project: p }) => {
    const rows = await ctx.db
      .select({ row: alertRules, view: featureViews.name })
      .from(alertRules)
      .leftJoin(featureViews, eq(featureViews.id, alertRules.featureViewId))
      .where(eq(alertRules.projectId, p.id))
      .orderBy(desc(alertRules.createdAt), alertRules.name);
    return rows.map((r) => shown(r.row, r.view));
  },
});
export const listAlertRules = listAlertRulesOp.call;

/**
 * Enables or disables a rule. Disabling fails its deliveries still waiting, so enabling it again
 * later does not send a backlog of old alerts.
 */
export const updateAlertRuleOp = defineOperation({
  name: "alerts.rules.update",
  summary: "Enable or disable an alert rule.",
  kind: "mutation",
  // Rules are no registry object: no cache of this process holds them.
  writesRegistry: false,
  access: "alerts.manage",
  input: UpdateAlertRuleInput,
  output: out.AlertRule,
  run: ({ ctx, input: { id, enabled }, project: p }) =>
    inTransaction(ctx, async (tx) => {
      const { row, view } = await requireRule(tx, p, id);
      const before = shown(row, view);
      if (row.enabled === enabled) return before;
      const [updated] = await tx.db
        .update(alertRules)
        .set({ enabled, updatedAt: new Date() })
        .where(eq(alertRules.id, id))
        .returning();
      if (!updated) throw new Error("update returned no row");
      if (!enabled)
        await tx.db
          .update(alertDeliveries)
          .set({ status: "failed", lastError: "the rule was disabled before it was sent" })
          .where(and(eq(alertDeliveries.ruleId, id), eq(alertDeliveries.status, "pending")));
      const after = shown(updated, view);
      await recordAudit(tx, {
        project: p,
        action: enabled ? "alert_rule.enable" : "alert_rule.disable",
        objectType: "alert_rule",
        objectName: row.name,
        before: auditView(before),
        after: auditView(after),
      });
      return after;
    }),
});
export const updateAlertRule = updateAlertRuleOp.call;

/** Deletes a rule and, with it, its delivery log. */
export const deleteAlertRuleOp = defineOperation({
  name: "alerts.rules.delete",
  summary: "Delete an alert rule and its delivery log.",
  kind: "mutation",
  // Rules are no registry object: no cache of this process holds them.
  writesRegistry: false,
  access: "alerts.manage",
  input: AlertRuleRef,
  output: out.AlertRule,
  run: ({ ctx, input: { id }, project: p }) =>
    inTransaction(ctx, async (tx) => {
      const { row, view } = await requireRule(tx, p, id);
      await tx.db.delete(alertRules).where(eq(alertRules.id, id));
      const gone = shown(row, view);
      await recordAudit(tx, {
        project: p,
        action: "alert_rule.delete",
        objectType: "alert_rule",
        objectName: row.name,
        before: auditView(gone),
      });
      return gone;
    }),
});
export const deleteAlertRule = deleteAlertRuleOp.call;

/**
 * Sends a test event to the rule's webhook now (one attempt while the caller waits; the usual
 * retries after), and answers the delivery as logged.
 */
export const testAlertRuleOp = defineOperation({
  name: "alerts.rules.test",
  summary: "Send a test delivery to an alert rule's webhook; answers the delivery as logged.",
  kind: "mutation",
  writesRegistry: false,
  access: "alerts.manage",
  input: AlertRuleRef,
  output: out.Delivery,
  run: async ({ ctx, input: { id }, project: p }) => {
    const deliveryId = await inTransaction(ctx, async (tx) => {
      const { row, view } = await requireRule(tx, p, id);
      const now = new Date();
      const [d] = await tx.db
        .insert(alertDeliveries)
        .values({
          projectId: p.id,
          ruleId: row.id,
          event: "test",
          dedupeKey: `test:${randomUUID()}`,
          payload: {
            event: "test",
            project: p.name,
            featureView: view,
            incident: null,
            occurredAt: now.toISOString(),
            summary: `Test alert from Quiver for rule "${row.name}" of project ${p.name}.`,
            link: viewLink(p.name, null),
            details: {},
          },
        })
        .returning({ id: alertDeliveries.id });
      if (!d) throw new Error("insert returned no row");
      await recordAudit(tx, {
        project: p,
        action: "alert_rule.test",
        objectType: "alert_rule",
        objectName: row.name,
      });
      return d.id;
    });
    await sendDueDeliveries(ctx, { ids: [deliveryId] });
    const [d] = await listDeliveryRows(ctx, p.id, { id: deliveryId });
    if (!d) throw new NotFoundError("the test delivery's rule was deleted meanwhile", "id");
    return d;
  },
});
export const testAlertRule = testAlertRuleOp.call;
