import "server-only";
import { z } from "zod";
import { DISTINCT_METHODS, STATISTICS_KINDS } from "../core/vocabulary";

const Bin = z.object({ lo: z.number(), hi: z.number(), count: z.number() });

/** One feature's statistics over one population, as operations answer them. */
export const FeatureStatistics = z.object({
  computationId: z.string(),
  runId: z.string().nullable(),
  featureViewVersion: z.number(),
  windowStart: z.date(),
  windowEnd: z.date(),
  dtype: z.string(),
  kind: z.enum(STATISTICS_KINDS),
  count: z.number(),
  nulls: z.number(),
  distinct: z.number().nullable(),
  distinctMethod: z.enum(DISTINCT_METHODS).nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  stddev: z.number().nullable(),
  outsideTtl: z.number(),
  histogram: z.array(Bin).nullable(),
  topValues: z
    .object({ values: z.array(z.object({ value: z.string(), count: z.number() })), other: z.number() })
    .nullable(),
  psi: z.number().nullable(),
  driftThreshold: z.number(),
  drift: z.boolean(),
  computedAt: z.date(),
});
export type FeatureStatistics = z.output<typeof FeatureStatistics>;

/** A computation's summary numbers, for the feature's history across runs. */
export const StatisticsPoint = FeatureStatistics.pick({
  computationId: true,
  runId: true,
  windowEnd: true,
  computedAt: true,
  count: true,
  nulls: true,
  mean: true,
  psi: true,
  drift: true,
});

export const FeatureStatisticsAnswer = z.object({
  /** The project's drift threshold now (a row keeps the one it was judged by). */
  threshold: z.number(),
  latest: FeatureStatistics.nullable(),
  previous: FeatureStatistics.nullable(),
  /** Newest first. */
  history: z.array(StatisticsPoint),
});
