import "server-only";
import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { Ctx } from "../core/context";
import type { AlertEvent, DeliveryEvent } from "../core/vocabulary";
import { alertDeliveries, alertRules } from "../db/schema";
import { env } from "../env";
import { renderBody } from "./bodies";
import type { AlertPayload } from "./payload";
import { postWebhook } from "./post";
import { openSecret } from "./secret-box";
import { DELIVERY_HEADER, signedHeaders } from "./sign";

/**
 * Webhook deliveries: created in the transaction that records their event (an incident opening or
 * closing, a drift report), sent afterwards by every worker's alert loop (loop.ts). The row is the
 * queue: a sender claims due rows with FOR UPDATE SKIP LOCKED, so two processes never send the
 * same attempt, and a crash mid-send leaves the row to be claimed again when its lease ends.
 */

export interface DeliveryPolicy {
  /** Attempts before a delivery is failed. */
  maxAttempts: number;
  /** Delay before the second attempt; doubled at each further one. */
  retryMs: number;
  /** How long a receiver may take. */
  timeoutMs: number;
}

export function deliveryPolicy(over: Partial<DeliveryPolicy> = {}): DeliveryPolicy {
  const e = env();
  return {
    maxAttempts: e.QUIVER_ALERT_MAX_ATTEMPTS,
    retryMs: e.QUIVER_ALERT_RETRY_MS,
    timeoutMs: e.QUIVER_ALERT_TIMEOUT_MS,
    ...over,
  };
}

/** Delay after the `attempts`-th failed attempt: retryMs, 2 x retryMs, 4 x retryMs, ... (capped at a day). */
export function backoffMs(policy: DeliveryPolicy, attempts: number): number {
  return Math.min(policy.retryMs * 2 ** Math.max(0, attempts - 1), 86_400_000);
}

/**
 * One pending delivery per rule of the project that listens to `event` (enabled, and for this view
 * or every view), or per rule of `ruleIds` when given. A rule that already has `dedupeKey` gets no
 * second one: the unique index makes that hold across processes. Answers the number created.
 */
export async function createDeliveries(
  ctx: Ctx,
  args: {
    projectId: string;
    featureViewId: string | null;
    incidentId?: string | null;
    event: AlertEvent;
    dedupeKey: string;
    payload: AlertPayload;
    ruleIds?: string[];
  },
): Promise<number> {
  const rules = await ctx.db
    .select({ id: alertRules.id })
    .from(alertRules)
    .where(
      and(
        eq(alertRules.projectId, args.projectId),
        eq(alertRules.enabled, true),
        sql`${alertRules.events} @> ${JSON.stringify([args.event])}::jsonb`,
        args.featureViewId
          ? or(isNull(alertRules.featureViewId), eq(alertRules.featureViewId, args.featureViewId))
          : undefined,
        args.ruleIds ? inArray(alertRules.id, args.ruleIds) : undefined,
      ),
    );
  if (rules.length === 0) return 0;
  const created = await ctx.db
    .insert(alertDeliveries)
    .values(
      rules.map((r) => ({
        projectId: args.projectId,
        ruleId: r.id,
        incidentId: args.incidentId ?? null,
        featureViewId: args.featureViewId,
        event: args.event as DeliveryEvent,
        dedupeKey: args.dedupeKey,
        payload: args.payload as unknown as Record<string, unknown>,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: alertDeliveries.id });
  return created.length;
}

type DeliveryRow = typeof alertDeliveries.$inferSelect;

/**
 * Claims up to `limit` due deliveries (or the given ones), sends them at once and records each
 * answer: delivered on a 2xx; otherwise pending again after the backoff, or failed once out of
 * attempts. Answers the rows as recorded.
 */
export async function sendDueDeliveries(
  ctx: Ctx,
  opts: { policy?: DeliveryPolicy; limit?: number; ids?: string[] } = {},
): Promise<DeliveryRow[]> {
  const policy = opts.policy ?? deliveryPolicy();
  const limit = opts.limit ?? 20;
  // The lease: a claimed row is due again only if this process never records the attempt.
  const leaseMs = policy.timeoutMs + 60_000;
  const only = opts.ids
    ? sql`and id in (${sql.join(
        opts.ids.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`
    : sql``;
  const claimed = await ctx.db.execute<{ id: string }>(sql`
    update alert_deliveries set
      attempts = attempts + 1,
      last_attempt_at = now(),
      next_attempt_at = now() + ${`${leaseMs} milliseconds`}::interval
    where id in (
      select id from alert_deliveries
      where status = 'pending' and next_attempt_at <= now() ${only}
      order by next_attempt_at
      limit ${limit}
      for update skip locked)
    returning id`);
  const ids = claimed.rows.map((r) => r.id);
  if (ids.length === 0) return [];
  const rows = await ctx.db
    .select({ delivery: alertDeliveries, rule: alertRules })
    .from(alertDeliveries)
    .innerJoin(alertRules, eq(alertRules.id, alertDeliveries.ruleId))
    .where(inArray(alertDeliveries.id, ids));
  return Promise.all(rows.map(({ delivery, rule }) => attempt(ctx, delivery, rule, policy)));
}

async function attempt(
  ctx: Ctx,
  d: DeliveryRow,
  rule: typeof alertRules.$inferSelect,
  policy: DeliveryPolicy,
): Promise<DeliveryRow> {
  let secret: string;
  try {
    secret = openSecret(rule.secretSealed);
  } catch {
    return record(ctx, d, policy, {
      ok: false,
      status: null,
      error: "the rule's secret cannot be read (was the instance secret changed?)",
      final: true,
    });
  }
  const body = JSON.stringify(renderBody(rule.format, d.payload as unknown as AlertPayload));
  const headers = { ...signedHeaders(secret, body, new Date()), [DELIVERY_HEADER]: d.id };
  const result = await postWebhook(rule.url, body, headers, policy.timeoutMs);
  if (!result.ok)
    ctx.log.warn(
      { delivery: d.id, rule: rule.name, attempt: d.attempts, status: result.status, error: result.error },
      "webhook delivery failed",
    );
  return record(ctx, d, policy, { ...result, final: false });
}

/** Writes an attempt's outcome, unless the row moved on meanwhile (its lease ended and another sender took it). */
async function record(
  ctx: Ctx,
  d: DeliveryRow,
  policy: DeliveryPolicy,
  r: { ok: boolean; status: number | null; error: string | null; final: boolean },
): Promise<DeliveryRow> {
  const outOfAttempts = r.final || d.attempts >= policy.maxAttempts;
  const set = r.ok
    ? { status: "delivered" as const, responseCode: r.status, lastError: null, deliveredAt: sql`now()` }
    : outOfAttempts
      ? { status: "failed" as const, responseCode: r.status, lastError: r.error }
      : {
          responseCode: r.status,
          lastError: r.error,
          nextAttemptAt: sql`now() + ${`${backoffMs(policy, d.attempts)} milliseconds`}::interval`,
        };
  const [row] = await ctx.db
    .update(alertDeliveries)
    .set(set)
    .where(
      and(
        eq(alertDeliveries.id, d.id),
        eq(alertDeliveries.attempts, d.attempts),
        eq(alertDeliveries.status, "pending"),
      ),
    )
    .returning();
  return row ?? d;
}
