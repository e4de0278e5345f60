import "server-only";
import type { StatisticsKind } from "../core/vocabulary";
import type { ValueType } from "../registry/schemas";
import { type BuiltQuery, EVENT_TS, quoteIdent } from "./source-query";

/**
 * Pure SQL building for feature statistics (docs/adr/0033-feature-statistics.md), for both engines:
 * Postgres over latestPerEntityQuery, DuckDB over fileLatestPerEntityQuery. The population is that
 * query's answer (the latest row per entity key in the window), wrapped as the CTE `l`; every
 * statistic is an aggregate over it, so no row ever reaches Node. Two statements per view:
 *
 * - the summary: one row with, per feature, count, nulls, distinct, and for numbers min, max,
 *   mean and stddev_pop, plus the share of the population older than the ttl cut-off;
 * - the distribution: per numeric feature its counts over equal-width bins (its own, computed from
 *   the summary's min and max, and the previous statistics' bins for PSI), per string or boolean
 *   feature its top values (and its counts of the previous top values, for PSI).
 *
 * Expressions are written in the SQL both engines accept (CAST … AS float8, FILTER, least/greatest);
 * width_bucket is Postgres-only, so bins are computed with floor. Feature names are quoted
 * identifiers, numbers are inlined from finite JS numbers, values are bind parameters.
 */

export type Dialect = "postgres" | "duckdb";

export const HISTOGRAM_BINS = 20;
export const TOP_VALUES = 10;

export interface StatsFeature {
  name: string;
  dtype: ValueType;
}

/** What the statistics of a feature of this type hold. */
export function statisticsKind(dtype: ValueType): StatisticsKind {
  switch (dtype) {
    case "int32":
    case "int64":
    case "float32":
    case "float64":
      return "numeric";
    case "string":
    case "bool":
      return "categorical";
    default:
      return "count_only";
  }
}

/** A grid of equal-width bins over [lo, hi]; bins = 1 when lo = hi. */
export interface Grid {
  lo: number;
  hi: number;
  bins: number;
}

/** The second statement's plan for one feature: which grids to count a number over, which values to count. */
export type FeaturePlan =
  | { kind: "numeric"; own: Grid | null; previous: Grid | null }
  | { kind: "categorical"; previousValues: string[] | null }
  | { kind: "count_only" };

/** Grid tags in the distribution's rows. */
export const OWN = 0;
export const PREVIOUS = 1;

function value(feature: StatsFeature): string {
  return `l.${quoteIdent(feature.name)}`;
}

function num(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`a statistics bound must be finite, not ${x}`);
  return `CAST(${String(x)} AS float8)`;
}

/** The event-time cut-off literal: before it, a value is outside the ttl. */
function cutoffExpr(dialect: Dialect, cutoff: Date): string {
  // Postgres scans give timestamptz; DuckDB scans give epoch microseconds (file-query.ts).
  return dialect === "postgres"
    ? `CAST('${cutoff.toISOString()}' AS timestamptz)`
    : `${BigInt(cutoff.getTime()) * 1000n}`;
}

/** Column aliases of the summary row for feature i. */
export const summaryAlias = {
  count: (i: number) => `c${i}`,
  distinct: (i: number) => `d${i}`,
  min: (i: number) => `mn${i}`,
  max: (i: number) => `mx${i}`,
  mean: (i: number) => `av${i}`,
  stddev: (i: number) => `sd${i}`,
};

/**
 * One row: `n` (entities), `outside` (older than `cutoff`; 0 without one), and per feature i
 * c{i} (non-null values), d{i} (distinct), and for numbers mn{i}, mx{i}, av{i}, sd{i}.
 */
export function summaryQuery(
  dialect: Dialect,
  latest: BuiltQuery,
  features: readonly StatsFeature[],
  cutoff: Date | null,
): BuiltQuery {
  const parts = [
    "count(*) AS n",
    cutoff
      ? `count(*) FILTER (WHERE l.${quoteIdent(EVENT_TS)} < ${cutoffExpr(dialect, cutoff)}) AS outside`
      : "0 AS outside",
  ];
  features.forEach((f, i) => {
    const x = value(f);
    const kind = statisticsKind(f.dtype);
    parts.push(`count(${x}) AS ${summaryAlias.count(i)}`);
    if (kind === "count_only") return;
    const distinctOf = kind === "categorical" ? `CAST(${x} AS text)` : `CAST(${x} AS float8)`;
    parts.push(
      dialect === "postgres"
        ? `count(DISTINCT ${distinctOf}) AS ${summaryAlias.distinct(i)}`
        : `approx_count_distinct(${distinctOf}) AS ${summaryAlias.distinct(i)}`,
    );
    if (kind !== "numeric") return;
    const d = `CAST(${x} AS float8)`;
    parts.push(
      `min(${d}) AS ${summaryAlias.min(i)}`,
      `max(${d}) AS ${summaryAlias.max(i)}`,
      `avg(${d}) AS ${summaryAlias.mean(i)}`,
      `stddev_pop(${d}) AS ${summaryAlias.stddev(i)}`,
    );
  });
  return {
    text: `WITH l AS (\n${latest.text}\n)\nSELECT ${parts.join(",\n  ")}\nFROM l`,
    values: latest.values,
  };
}

/**
 * The bin of x in a grid: 0 … bins-1 inside [lo, hi] (hi falls in the last bin), -1 below it and
 * `bins` above it (only a previous grid can leave values outside; PSI counts them as their own bins).
 */
export function binExpr(x: string, g: Grid): string {
  if (g.bins === 1 || g.hi <= g.lo)
    return `CASE WHEN ${x} < ${num(g.lo)} THEN -1 WHEN ${x} > ${num(g.hi)} THEN 1 ELSE 0 END`;
  const width = (g.hi - g.lo) / g.bins;
  return `CASE WHEN ${x} < ${num(g.lo)} THEN -1 WHEN ${x} > ${num(g.hi)} THEN ${g.bins} ELSE least(CAST(floor((${x} - ${num(g.lo)}) / ${num(width)}) AS integer), ${g.bins - 1}) END`;
}

/**
 * Rows (f, g, b, v, n): feature index, grid (OWN or PREVIOUS), bin (numbers) or value (text), count.
 * Null when no feature needs a second statement.
 */
export function distributionQuery(
  latest: BuiltQuery,
  features: readonly StatsFeature[],
  plans: readonly FeaturePlan[],
): BuiltQuery | null {
  const values = [...latest.values];
  const param = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const parts: string[] = [];
  features.forEach((f, i) => {
    const plan = plans[i];
    const x = value(f);
    if (plan?.kind === "numeric") {
      const d = `CAST(${x} AS float8)`;
      for (const [tag, grid] of [
        [OWN, plan.own],
        [PREVIOUS, plan.previous],
      ] as const) {
        if (!grid) continue;
        parts.push(
          `SELECT ${i} AS f, ${tag} AS g, b, CAST(NULL AS text) AS v, count(*) AS n FROM (SELECT ${binExpr(d, grid)} AS b FROM l WHERE ${x} IS NOT NULL) AS h${i}_${tag} GROUP BY b`,
        );
      }
    } else if (plan?.kind === "categorical") {
      const t = `CAST(${x} AS text)`;
      parts.push(
        `SELECT ${i} AS f, ${OWN} AS g, CAST(NULL AS integer) AS b, v, n FROM (SELECT ${t} AS v, count(*) AS n FROM l WHERE ${x} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${TOP_VALUES}) AS t${i}`,
      );
      const previous = plan.previousValues?.filter((v) => !v.includes("\u0000")) ?? [];
      if (previous.length > 0)
        parts.push(
          `SELECT ${i} AS f, ${PREVIOUS} AS g, CAST(NULL AS integer) AS b, ${t} AS v, count(*) AS n FROM l WHERE ${t} IN (${previous.map(param).join(", ")}) GROUP BY 4`,
        );
    }
  });
  if (parts.length === 0) return null;
  return { text: `WITH l AS (\n${latest.text}\n)\n${parts.join("\nUNION ALL\n")}`, values };
}

/** The summary row, numbers as JS numbers (null where the aggregate is null). */
export type SummaryRow = Record<string, number | null>;

export interface DistributionRow {
  f: number;
  g: number;
  b: number | null;
  v: string | null;
  n: number;
}

/** pg gives bigint and numeric as text, DuckDB bigint as bigint: all become JS numbers here. */
export function numbers(row: Record<string, unknown> | undefined): SummaryRow {
  const out: SummaryRow = {};
  for (const [k, v] of Object.entries(row ?? {})) out[k] = v === null || v === undefined ? null : Number(v);
  return out;
}

export function distributionRow(r: Record<string, unknown>): DistributionRow {
  return {
    f: Number(r.f),
    g: Number(r.g),
    b: r.b === null || r.b === undefined ? null : Number(r.b),
    v: r.v === null || r.v === undefined ? null : String(r.v),
    n: Number(r.n),
  };
}

export interface ViewStatisticsRead {
  dialect: Dialect;
  summary: SummaryRow;
  distribution: DistributionRow[];
}
