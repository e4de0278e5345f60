import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { DISTINCT_METHODS, STATISTICS_KINDS } from "../../core/vocabulary";
import { oneOf } from "./common";
import { featureViews } from "./feature-views";
import { materializationRuns } from "./materialization-runs";
import { projects } from "./projects";

/** One equal-width bin of a numeric feature: [lo, hi) (the last bin includes hi). */
export interface HistogramBin {
  lo: number;
  hi: number;
  count: number;
}

/** The most frequent values of a string or boolean feature, and how many non-null values are not among them. */
export interface TopValues {
  values: { value: string; count: number }[];
  other: number;
}

/**
 * The statistics of one feature over one population (docs/adr/0033-feature-statistics.md): the
 * latest value per entity key in a run's window, or in an on-demand computation's. A computation
 * (a run's, or an on-demand job's) writes one row per feature of its view, all in one transaction.
 */
export const featureStatistics = pgTable(
  "feature_statistics",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    featureViewId: uuid("feature_view_id")
      .notNull()
      .references(() => featureViews.id, { onDelete: "cascade" }),
    featureViewVersion: integer("feature_view_version").notNull(),
    feature: text("feature").notNull(),
    dtype: text("dtype").notNull(),
    /** The computation's identity: its run's id, or the on-demand statistics job's id. */
    computationId: uuid("computation_id").notNull(),
    /** The materialization run whose window this describes; null for an on-demand computation. */
    runId: uuid("run_id").references(() => materializationRuns.id, { onDelete: "set null" }),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    windowEnd: timestamp("window_end", { withTimezone: true }).notNull(),
    kind: text("kind", { enum: STATISTICS_KINDS }).notNull(),
    /** Entities in the population (one value each, null or not). */
    count: bigint("count", { mode: "number" }).notNull(),
    nulls: bigint("nulls", { mode: "number" }).notNull(),
    distinct: bigint("distinct_count", { mode: "number" }),
    distinctMethod: text("distinct_method", { enum: DISTINCT_METHODS }),
    min: doublePrecision("min"),
    max: doublePrecision("max"),
    mean: doublePrecision("mean"),
    /** Population standard deviation (stddev_pop). */
    stddev: doublePrecision("stddev"),
    /** Share of the population whose event time is older than window end - ttl (0 when the ttl is 0). */
    outsideTtl: doublePrecision("outside_ttl").notNull(),
    histogram: jsonb("histogram").$type<HistogramBin[]>(),
    topValues: jsonb("top_values").$type<TopValues>(),
    /** Population stability index against the feature's previous statistics; null when there are none. */
    psi: doublePrecision("psi"),
    driftThreshold: doublePrecision("drift_threshold").notNull(),
    drift: boolean("drift").notNull().default(false),
    computedAt: timestamp("computed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("feature_statistics_computation_feature_idx").on(t.computationId, t.feature),
    // The feature page's latest, previous and history reads.
    index("feature_statistics_view_feature_computed_idx").on(t.featureViewId, t.feature, t.computedAt),
    index("feature_statistics_run_idx").on(t.runId),
    check("feature_statistics_kind_check", oneOf(t.kind, STATISTICS_KINDS)),
    check("feature_statistics_distinct_method_check", oneOf(t.distinctMethod, DISTINCT_METHODS)),
  ],
);

/** A project's statistics settings; a project without a row uses the defaults (DEFAULT_DRIFT_THRESHOLD). */
export const statisticsSettings = pgTable("statistics_settings", {
  projectId: uuid("project_id")
    .primaryKey()
    .references(() => projects.id, { onDelete: "cascade" }),
  /** PSI at or above which the latest statistics are flagged as drifted. */
  driftThreshold: doublePrecision("drift_threshold").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
