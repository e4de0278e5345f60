import type { DistinctMethod, StatisticsKind } from "../core/vocabulary";
import type { HistogramBin, TopValues } from "../db/schema/feature-statistics";
import {
  type Dialect,
  type DistributionRow,
  type FeaturePlan,
  type Grid,
  HISTOGRAM_BINS,
  OWN,
  PREVIOUS,
  type StatsFeature,
  type SummaryRow,
  statisticsKind,
  summaryAlias,
} from "../offline/stats-query";
import { populationStabilityIndex } from "./psi";

/**
 * From the engine's aggregates to one statistics record per feature (pure, unit-tested): the plan
 * of the second statement (bins from the summary's min and max; the previous statistics' grid and
 * top values, for PSI), then histograms, top values and PSI from its rows.
 */

/** What PSI compares against: the feature's previous statistics. */
export interface PreviousStats {
  kind: StatisticsKind;
  histogram: HistogramBin[] | null;
  topValues: TopValues | null;
}

export interface FeatureStats {
  feature: string;
  dtype: string;
  kind: StatisticsKind;
  count: number;
  nulls: number;
  distinct: number | null;
  distinctMethod: DistinctMethod | null;
  min: number | null;
  max: number | null;
  mean: number | null;
  stddev: number | null;
  outsideTtl: number;
  histogram: HistogramBin[] | null;
  topValues: TopValues | null;
  psi: number | null;
}

const finite = (x: number | null | undefined): x is number => typeof x === "number" && Number.isFinite(x);

/** The grid a previous histogram was counted on. */
function gridOf(histogram: HistogramBin[] | null): Grid | null {
  const first = histogram?.[0];
  const last = histogram?.at(-1);
  if (!histogram || !first || !last) return null;
  return { lo: first.lo, hi: last.hi, bins: histogram.length };
}

export function planDistribution(
  features: readonly StatsFeature[],
  summary: SummaryRow,
  previous: ReadonlyMap<string, PreviousStats>,
): FeaturePlan[] {
  return features.map((f, i) => {
    const kind = statisticsKind(f.dtype);
    const prev = previous.get(f.name);
    if (kind === "numeric") {
      const lo = summary[summaryAlias.min(i)];
      const hi = summary[summaryAlias.max(i)];
      const own = finite(lo) && finite(hi) ? { lo, hi, bins: hi > lo ? HISTOGRAM_BINS : 1 } : null;
      return { kind, own, previous: prev?.kind === "numeric" ? gridOf(prev.histogram) : null };
    }
    if (kind === "categorical")
      return {
        kind,
        previousValues:
          prev?.kind === "categorical" ? (prev.topValues?.values.map((v) => v.value) ?? null) : null,
      };
    return { kind };
  });
}

export function assembleStatistics(args: {
  features: readonly StatsFeature[];
  dialect: Dialect;
  summary: SummaryRow;
  plans: readonly FeaturePlan[];
  distribution: readonly DistributionRow[];
  previous: ReadonlyMap<string, PreviousStats>;
}): FeatureStats[] {
  const { summary } = args;
  const population = summary.n ?? 0;
  const outsideTtl = population > 0 ? (summary.outside ?? 0) / population : 0;
  return args.features.map((f, i) => {
    const kind = statisticsKind(f.dtype);
    const plan = args.plans[i];
    const nonNull = summary[summaryAlias.count(i)] ?? 0;
    const rows = args.distribution.filter((r) => r.f === i);
    const own = rows.filter((r) => r.g === OWN);
    const prevRows = rows.filter((r) => r.g === PREVIOUS);
    const prev = args.previous.get(f.name);
    const base: FeatureStats = {
      feature: f.name,
      dtype: f.dtype,
      kind,
      count: population,
      nulls: population - nonNull,
      distinct: kind === "count_only" ? null : (summary[summaryAlias.distinct(i)] ?? 0),
      distinctMethod: kind === "count_only" ? null : args.dialect === "postgres" ? "exact" : "approximate",
      min: null,
      max: null,
      mean: null,
      stddev: null,
      outsideTtl,
      histogram: null,
      topValues: null,
      psi: null,
    };
    if (plan?.kind === "numeric") {
      const histogram = plan.own ? binsOf(plan.own, own) : null;
      let psi: number | null = null;
      const prevGrid = plan.previous;
      const prevTotal = prev?.histogram?.reduce((s, b) => s + b.count, 0) ?? 0;
      if (prevGrid && prev?.histogram && prevTotal > 0 && nonNull > 0) {
        // Buckets: below the previous range, its bins, above it (the previous run had none outside).
        const count = (b: number) => prevRows.find((r) => r.b === b)?.n ?? 0;
        const current = [-1, ...prev.histogram.map((_, k) => k), prevGrid.bins].map(count);
        psi = populationStabilityIndex([0, ...prev.histogram.map((b) => b.count), 0], current);
      }
      return {
        ...base,
        min: summary[summaryAlias.min(i)] ?? null,
        max: summary[summaryAlias.max(i)] ?? null,
        mean: summary[summaryAlias.mean(i)] ?? null,
        stddev: summary[summaryAlias.stddev(i)] ?? null,
        histogram,
        psi,
      };
    }
    if (plan?.kind === "categorical") {
      const values = own
        .filter((r) => r.v !== null)
        .map((r) => ({ value: r.v as string, count: r.n }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
      const topValues = { values, other: nonNull - values.reduce((s, v) => s + v.count, 0) };
      let psi: number | null = null;
      const prevTop = prev?.kind === "categorical" ? prev.topValues : null;
      const prevTotal = prevTop ? prevTop.values.reduce((s, v) => s + v.count, 0) + prevTop.other : 0;
      if (prevTop && prevTotal > 0 && nonNull > 0) {
        const counts = prevTop.values.map((v) => prevRows.find((r) => r.v === v.value)?.n ?? 0);
        const rest = nonNull - counts.reduce((s, n) => s + n, 0);
        psi = populationStabilityIndex(
          [...prevTop.values.map((v) => v.count), prevTop.other],
          [...counts, rest],
        );
      }
      return { ...base, topValues, psi };
    }
    return base;
  });
}

/** The grid's bins with their edges and counts (a bin the engine did not name has none). */
function binsOf(grid: Grid, rows: readonly DistributionRow[]): HistogramBin[] {
  const width = grid.bins > 1 ? (grid.hi - grid.lo) / grid.bins : 0;
  return Array.from({ length: grid.bins }, (_, k) => ({
    lo: grid.lo + k * width,
    hi: k === grid.bins - 1 ? grid.hi : grid.lo + (k + 1) * width,
    count: rows.find((r) => r.b === k)?.n ?? 0,
  }));
}
