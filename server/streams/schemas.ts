import { z } from "zod";
import { Name } from "../core/name";
import { STREAM_ADAPTERS, STREAM_AGGREGATION_FUNCTIONS, STREAM_WINDOW_KINDS } from "../core/vocabulary";

/**
 * The zod shapes of stream views (docs/adr/0037-stream-aggregations.md), defined once for every
 * door. Pure (no server-only): a later form checks specs with them too.
 */

/** An event field's name (a Redis Stream entry's field). */
export const EventField = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, "must be a letter or _ then letters, digits or _ (at most 63)");

/** Longest window: 30 days. Most tiles a window may span (the read sums them per request): 10 080. */
export const MAX_WINDOW_SECONDS = 30 * 86_400;
export const MAX_TILES_PER_WINDOW = 10_080;

export const StreamAggregationInput = z.object({
  name: Name,
  /** The event field aggregated; leave it out for count. */
  column: z.union([EventField, z.literal("")]).default(""),
  function: z.enum(STREAM_AGGREGATION_FUNCTIONS),
  windowSeconds: z.number().int().positive().max(MAX_WINDOW_SECONDS),
  kind: z.enum(STREAM_WINDOW_KINDS).default("sliding"),
});

/** Keys Quiver writes itself (server/online, server/streams): no stream may use them. */
const RESERVED_KEY = /^(q|qs|qf):/;

export const StreamViewSpec = z
  .object({
    name: Name,
    /** Entity names; each one's join key is read from the event field of the same name. */
    entities: z.array(Name).min(1).max(8),
    stream: z.object({
      adapter: z.enum(STREAM_ADAPTERS).default("redis"),
      key: z
        .string()
        .min(1)
        .max(256)
        .refine((k) => !RESERVED_KEY.test(k), "must not start with q:, qs: or qf: (Quiver's own keys)"),
    }),
    timestampField: EventField,
    /** The producer's event id field; null: the stream entry id is the event id. */
    eventIdField: EventField.nullable().default(null),
    aggregations: z.array(StreamAggregationInput).min(1).max(64),
    tileSeconds: z.number().int().positive().max(86_400).default(60),
    allowedLatenessSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .default(60),
    description: z.string().max(4000).default(""),
    tags: z
      .record(z.string().min(1).max(64), z.string().max(256))
      .refine((t) => Object.keys(t).length <= 32, "at most 32 tags")
      .default({}),
    owner: z.string().max(256).default(""),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.aggregations.forEach((a, i) => {
      const at = (field: string) => ["aggregations", i, field];
      if (seen.has(a.name))
        ctx.addIssue({ code: "custom", path: at("name"), message: `${a.name} is named twice` });
      seen.add(a.name);
      if (a.function !== "count" && a.column === "")
        ctx.addIssue({ code: "custom", path: at("column"), message: `${a.function} needs a column` });
      if (a.windowSeconds % spec.tileSeconds !== 0)
        ctx.addIssue({
          code: "custom",
          path: at("windowSeconds"),
          message: `must be a multiple of the tile size (${spec.tileSeconds} s)`,
        });
      else if (a.windowSeconds / spec.tileSeconds > MAX_TILES_PER_WINDOW)
        ctx.addIssue({
          code: "custom",
          path: at("windowSeconds"),
          message: `spans more than ${MAX_TILES_PER_WINDOW} tiles: use a larger tile size`,
        });
    });
  });
export type StreamViewSpecInput = z.input<typeof StreamViewSpec>;
export type StreamViewSpec = z.output<typeof StreamViewSpec>;

export const StreamViewOutput = z.object({
  id: z.string(),
  name: z.string(),
  version: z.number().int(),
  currentVersion: z.number().int(),
  spec: StreamViewSpec,
  /** The entities' join keys, in the spec's order: the event fields the entity key is built from. */
  joinKeys: z.array(z.string()),
  createdBy: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type StreamViewOutput = z.output<typeof StreamViewOutput>;
