import "server-only";
import { and, asc, eq, gte, inArray, lte, max, sql } from "drizzle-orm";
import { z } from "zod";
import { authorize } from "../auth/authorize";
import type { Ctx } from "../core/context";
import { ForbiddenError, NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { CONSUMER_KINDS, type ConsumerKind } from "../core/vocabulary";
import {
  apiKeys,
  consumerFeatureServices,
  consumers,
  featureServiceProjections,
  featureServices,
  featureViewReads,
  featureViews,
  users,
} from "../db/schema";
import { defineOperation } from "../operations/define";
import { isUuid, USAGE_RETENTION_DAYS, utcDay } from "./recorder";

/**
 * Who reads a feature view, as counted by the serving processes (./recorder.ts), next to the
 * consumers declared by hand in the registry: the page shows both signals. API keys are named only
 * to callers who may manage keys; everyone else learns how many keys read and how much.
 */

export const FeatureViewUsageInput = z.object({
  project: Name,
  name: Name,
  /** UTC days to report, today included. */
  days: z.number().int().min(1).max(USAGE_RETENTION_DAYS).default(30),
});

const Counts = { reads: z.number(), entityRows: z.number(), lastReadAt: z.date() };

export const UsageCaller = z.discriminatedUnion("kind", [
  /** One API key, named (only for callers who may manage keys); name null: the key was deleted. */
  z.object({
    kind: z.literal("api_key"),
    id: z.string(),
    name: z.string().nullable(),
    prefix: z.string().nullable(),
    revoked: z.boolean(),
    ...Counts,
  }),
  /** Every API key together, unnamed (callers who may not manage keys). */
  z.object({ kind: z.literal("api_keys"), keys: z.number(), ...Counts }),
  /** A signed-in person; name null: the account is gone. */
  z.object({ kind: z.literal("user"), name: z.string().nullable(), ...Counts }),
  /** Quiver itself and the local CLI. */
  z.object({ kind: z.literal("other"), ...Counts }),
]);
export type UsageCaller = z.infer<typeof UsageCaller>;

export const FeatureViewUsage = z.object({
  featureView: z.string(),
  /** The reported UTC days, inclusive ("YYYY-MM-DD"). */
  from: z.string(),
  to: z.string(),
  /** The latest read kept (up to 90 days back), whether or not it falls in the reported days. */
  lastReadAt: z.date().nullable(),
  reads: z.number(),
  entityRows: z.number(),
  /** Every day from `from` to `to`, oldest first, zeros included. */
  perDay: z.array(z.object({ day: z.string(), reads: z.number(), entityRows: z.number() })),
  /** Who read in the reported days, most reads first. */
  callers: z.array(UsageCaller),
  /** Whether API keys are listed one by one (the caller may manage keys). */
  keysNamed: z.boolean(),
  /** Consumers declared in the registry that read the view through a feature service (`via`). */
  declaredConsumers: z.array(
    z.object({ name: z.string(), kind: z.enum(CONSUMER_KINDS), owner: z.string(), via: z.array(z.string()) }),
  ),
});
export type FeatureViewUsage = z.infer<typeof FeatureViewUsage>;

export const featureViewUsageOp = defineOperation({
  name: "featureViews.usage",
  summary:
    "Who reads a feature view: last read, reads per UTC day, readers (API keys named for key managers only) and its declared consumers.",
  kind: "query",
  access: "definitions.read",
  input: FeatureViewUsageInput,
  output: FeatureViewUsage,
  run: async ({ ctx, input: { project, name, days }, project: p }): Promise<FeatureViewUsage> => {
    const [view] = await ctx.db
      .select({ id: featureViews.id })
      .from(featureViews)
      .where(and(eq(featureViews.projectId, p.id), eq(featureViews.name, name)))
      .limit(1);
    if (!view) throw new NotFoundError(`feature view "${name}" not found in project "${project}"`, "name");
    const [counted, declared] = await Promise.all([
      readsOfViews(ctx, p, [view.id], days),
      declaredConsumers(ctx, [view.id]),
    ]);
    return { featureView: name, ...counted, declaredConsumers: declared };
  },
});
export const getFeatureViewUsage = featureViewUsageOp.call;

/** The counted reads of a set of views (one read of two views counts twice), as the panels show them. */
export async function readsOfViews(
  ctx: Ctx,
  p: { id: string; name: string },
  viewIds: string[],
  days: number,
): Promise<Omit<FeatureViewUsage, "featureView" | "declaredConsumers">> {
  const now = Date.now();
  const to = utcDay(now);
  const from = utcDay(now - (days - 1) * 86_400_000);
  const perDay: FeatureViewUsage["perDay"] = [];
  for (let i = days - 1; i >= 0; i--)
    perDay.push({ day: utcDay(now - i * 86_400_000), reads: 0, entityRows: 0 });
  if (viewIds.length === 0)
    return {
      from,
      to,
      lastReadAt: null,
      reads: 0,
      entityRows: 0,
      perDay,
      callers: [],
      keysNamed: await mayManageKeys(ctx, p.name),
    };
  const ofViews = inArray(featureViewReads.featureViewId, viewIds);
  const inRange = and(ofViews, gte(featureViewReads.day, from), lte(featureViewReads.day, to));
  const [keysNamed, [last], dayRows, callerRows] = await Promise.all([
    mayManageKeys(ctx, p.name),
    ctx.db
      .select({ at: max(featureViewReads.lastReadAt) })
      .from(featureViewReads)
      .where(ofViews),
    ctx.db
      .select({
        day: featureViewReads.day,
        reads: sql<number>`sum(${featureViewReads.reads})::bigint`.mapWith(Number),
        entityRows: sql<number>`sum(${featureViewReads.entityRows})::bigint`.mapWith(Number),
      })
      .from(featureViewReads)
      .where(inRange)
      .groupBy(featureViewReads.day),
    ctx.db
      .select({
        kind: featureViewReads.callerKind,
        id: featureViewReads.callerId,
        reads: sql<number>`sum(${featureViewReads.reads})::bigint`.mapWith(Number),
        entityRows: sql<number>`sum(${featureViewReads.entityRows})::bigint`.mapWith(Number),
        lastReadAt: max(featureViewReads.lastReadAt),
      })
      .from(featureViewReads)
      .where(inRange)
      .groupBy(featureViewReads.callerKind, featureViewReads.callerId),
  ]);
  const byDay = new Map(dayRows.map((r) => [r.day, r]));
  for (const d of perDay) {
    const r = byDay.get(d.day);
    d.reads = r?.reads ?? 0;
    d.entityRows = r?.entityRows ?? 0;
  }
  const counted = callerRows.flatMap((r) => (r.lastReadAt ? [{ ...r, lastReadAt: r.lastReadAt }] : []));
  return {
    from,
    to,
    lastReadAt: last?.at ?? null,
    reads: perDay.reduce((n, d) => n + d.reads, 0),
    entityRows: perDay.reduce((n, d) => n + d.entityRows, 0),
    perDay,
    callers: await callersOf(ctx, p.id, counted, keysNamed),
    keysNamed,
  };
}

/** Whether the caller may manage the project's keys, and so see their names (the gate's own rule). */
async function mayManageKeys(ctx: Ctx, project: string): Promise<boolean> {
  try {
    await authorize(ctx, project, "keys.manage");
    return true;
  } catch (e) {
    if (e instanceof ForbiddenError) return false;
    throw e;
  }
}

interface CallerRow {
  kind: "api_key" | "user" | "other";
  id: string;
  reads: number;
  entityRows: number;
  lastReadAt: Date;
}

async function callersOf(
  ctx: Ctx,
  projectId: string,
  rows: CallerRow[],
  keysNamed: boolean,
): Promise<UsageCaller[]> {
  const keyRows = rows.filter((r) => r.kind === "api_key");
  const userIds = rows.filter((r) => r.kind === "user").map((r) => r.id);
  const keyIds = keysNamed ? keyRows.map((r) => r.id).filter(isUuid) : [];
  const [keys, people] = await Promise.all([
    keyIds.length === 0
      ? []
      : ctx.db
          .select({
            id: apiKeys.id,
            name: apiKeys.name,
            prefix: apiKeys.prefix,
            revokedAt: apiKeys.revokedAt,
          })
          .from(apiKeys)
          .where(and(eq(apiKeys.projectId, projectId), inArray(apiKeys.id, keyIds))),
    userIds.length === 0
      ? []
      : ctx.db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, userIds)),
  ]);
  const keyById = new Map(keys.map((k) => [k.id, k]));
  const nameOf = new Map(people.map((u) => [u.id, u.name]));

  const out: UsageCaller[] = [];
  for (const r of rows) {
    const counts = { reads: r.reads, entityRows: r.entityRows, lastReadAt: r.lastReadAt };
    if (r.kind === "user") out.push({ kind: "user", name: nameOf.get(r.id) ?? null, ...counts });
    else if (r.kind === "other") out.push({ kind: "other", ...counts });
    else if (keysNamed) {
      const k = keyById.get(r.id);
      out.push({
        kind: "api_key",
        id: r.id,
        name: k?.name ?? null,
        prefix: k?.prefix ?? null,
        revoked: k?.revokedAt != null,
        ...counts,
      });
    }
  }
  if (!keysNamed && keyRows.length > 0) {
    out.push({
      kind: "api_keys",
      keys: keyRows.length,
      reads: keyRows.reduce((n, r) => n + r.reads, 0),
      entityRows: keyRows.reduce((n, r) => n + r.entityRows, 0),
      lastReadAt: new Date(Math.max(...keyRows.map((r) => r.lastReadAt.getTime()))),
    });
  }
  return out.sort((a, b) => b.reads - a.reads || b.lastReadAt.getTime() - a.lastReadAt.getTime());
}

/** Consumers reading a feature service that projects the view, each with the services it reads it through. */
export async function declaredConsumers(
  ctx: Ctx,
  viewIds: string[],
): Promise<FeatureViewUsage["declaredConsumers"]> {
  if (viewIds.length === 0) return [];
  const rows = await ctx.db
    .select({ name: consumers.name, kind: consumers.kind, owner: consumers.owner, via: featureServices.name })
    .from(featureServiceProjections)
    .innerJoin(featureServices, eq(featureServices.id, featureServiceProjections.featureServiceId))
    .innerJoin(consumerFeatureServices, eq(consumerFeatureServices.featureServiceId, featureServices.id))
    .innerJoin(consumers, eq(consumers.id, consumerFeatureServices.consumerId))
    .where(inArray(featureServiceProjections.featureViewId, viewIds))
    .orderBy(asc(consumers.name), asc(featureServices.name));
  const byName = new Map<string, { name: string; kind: ConsumerKind; owner: string; via: string[] }>();
  for (const r of rows) {
    const entry = byName.get(r.name) ?? { name: r.name, kind: r.kind, owner: r.owner, via: [] };
    if (!entry.via.includes(r.via)) entry.via.push(r.via);
    byName.set(r.name, entry);
  }
  return [...byName.values()];
}
