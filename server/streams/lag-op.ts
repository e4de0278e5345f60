import "server-only";
import { and, asc, eq } from "drizzle-orm";
import type { Redis } from "ioredis";
import { z } from "zod";
import { NotFoundError } from "../core/errors";
import { Name } from "../core/name";
import { streamViews } from "../db/schema";
import { defineOperation } from "../operations/define";
import { streamViewConsumerLag } from "./lag";
import { streamRedis } from "./serve";

/**
 * streamViews.lag: the consumer lag of one stream view or of all a project's views, for the
 * stream pages. Redis missing or down is a state of the answer ("unavailable" with the reason),
 * not an error: the page still shows the view and says why it cannot show the lag.
 */

const ViewLag = z.object({
  name: z.string(),
  streamKey: z.string(),
  streamExists: z.boolean(),
  streamLength: z.number(),
  lastEntryId: z.string().nullable(),
  group: z
    .object({
      lag: z.number().nullable(),
      pending: z.number(),
      lastDeliveredId: z.string(),
      lastDeliveredAt: z.date().nullable(),
      consumers: z.array(z.object({ name: z.string(), pending: z.number(), idleMs: z.number() })),
    })
    .nullable(),
  watermarkMs: z.number().nullable(),
  behindMs: z.number().nullable(),
  applied: z.number(),
  duplicates: z.number(),
  late: z.number(),
});
export type StreamViewLagRow = z.output<typeof ViewLag>;

export const StreamLagOutput = z.discriminatedUnion("available", [
  z.object({ available: z.literal(true), at: z.date(), views: z.array(ViewLag) }),
  z.object({ available: z.literal(false), reason: z.string() }),
]);
export type StreamLagOutput = z.output<typeof StreamLagOutput>;

function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The lag of `views` read through `client` (a function so a missing REDIS_URL is a state too). */
export async function readViewsLag(
  client: () => Promise<Redis>,
  prefix: string,
  project: string,
  views: { name: string; streamKey: string }[],
  now: Date = new Date(),
): Promise<StreamLagOutput> {
  try {
    const redis = await client();
    const rows = await Promise.all(
      views.map(async (v) => ({
        name: v.name,
        streamKey: v.streamKey,
        ...(await streamViewConsumerLag(redis, prefix, { project, ...v }, now)),
      })),
    );
    return { available: true, at: now, views: rows };
  } catch (e) {
    return { available: false, reason: `Redis is unavailable: ${reasonOf(e)}` };
  }
}

export const streamViewLagOp = defineOperation({
  name: "streamViews.lag",
  summary:
    "Consumer lag of a stream view (or of all a project's views): group lag, pending, consumers, watermark, late events.",
  kind: "query",
  access: "definitions.read",
  input: z.object({ project: Name, name: Name.optional() }),
  output: StreamLagOutput,
  run: async ({ ctx, input: { name }, project: p }) => {
    const views = await ctx.db
      .select({ name: streamViews.name, streamKey: streamViews.streamKey })
      .from(streamViews)
      .where(
        name
          ? and(eq(streamViews.projectId, p.id), eq(streamViews.name, name))
          : eq(streamViews.projectId, p.id),
      )
      .orderBy(asc(streamViews.name));
    if (name && views.length === 0)
      throw new NotFoundError(`stream view "${name}" not found in project "${p.name}"`, "name");
    return readViewsLag(streamRedis, "", p.name, views);
  },
});
export const streamViewLag = streamViewLagOp.call;
