/**
 * Every closed set of values Quiver stores in a text column, each written once as an `as const`
 * array. The Drizzle schema builds its CHECK constraints and column types from these arrays, the
 * services' zod schemas use them in `z.enum`, and the UI lists them (docs/adr/0019).
 *
 * Pure, with no imports: the schema (loaded by drizzle-kit), the server and client components
 * all import it. Adding a value here needs a migration (`npx drizzle-kit generate`); removing one
 * also needs the rows that hold it changed first.
 */

/** Whether x is one of values: narrows a string read from outside to a vocabulary type. */
export function isOneOf<const T extends string>(values: readonly T[], x: unknown): x is T {
  return typeof x === "string" && (values as readonly string[]).includes(x);
}

/** Project roles, lowest first: each includes everything of the roles before it (server/auth/roles.ts). */
export const ROLES = ["viewer", "consumer", "editor", "operator", "owner"] as const;
export type Role = (typeof ROLES)[number];

/** Materialization run statuses that still change (and may be cancelled). */
export const ACTIVE_RUN_STATUSES = ["queued", "running", "retrying"] as const;
/** Final run statuses: a run leaves one only through a new run (server/materialization/run-row.ts). */
export const TERMINAL_RUN_STATUSES = ["succeeded", "failed", "cancelled"] as const;
export const RUN_STATUSES = [...ACTIVE_RUN_STATUSES, ...TERMINAL_RUN_STATUSES] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The windows runs are listed within (jobs.list `within`), in seconds back from now. */
export const RUN_WINDOWS = { "1h": 3_600, "24h": 86_400, "7d": 7 * 86_400, "30d": 30 * 86_400 } as const;
export type RunWindow = keyof typeof RUN_WINDOWS;

export function isActiveRunStatus(status: string): boolean {
  return isOneOf(ACTIVE_RUN_STATUSES, status);
}

export function isTerminalRunStatus(status: string): boolean {
  return isOneOf(TERMINAL_RUN_STATUSES, status);
}

/**
 * A key range of a run split across workers (server/materialization/ranges.ts): queued until a
 * worker claims it, then running until it is written (succeeded), failed, or stopped with its
 * run's attempt (cancelled).
 */
export const RUN_RANGE_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type RunRangeStatus = (typeof RUN_RANGE_STATUSES)[number];

/** What started a run: an explicit window, or "from the watermark to now". */
export const RUN_KINDS = ["range", "incremental"] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** A view's freshness states, worst first; the rule that names them is server/freshness/state.ts. */
export const FRESHNESS_STATES = [
  "failing",
  "never_materialized",
  "late",
  "at_risk",
  "met",
  "no_sla",
] as const;
export type FreshnessState = (typeof FRESHNESS_STATES)[number];

/** Levels of a run's log entries (server/materialization/run-log.ts), least severe first. */
export const RUN_LOG_LEVELS = ["info", "warn", "error"] as const;
export type RunLogLevel = (typeof RUN_LOG_LEVELS)[number];

/**
 * An offline source is a table (`schema.table`), a SELECT statement, or a Parquet/CSV file in the
 * project's file area (read by DuckDB, docs/adr/0022-point-in-time-retrieval.md).
 */
export const DATA_SOURCE_KINDS = ["table", "query", "file"] as const;
export type DataSourceKind = (typeof DATA_SOURCE_KINDS)[number];

/** Formats of a file source, and of an uploaded entity file. */
export const FILE_FORMATS = ["parquet", "csv"] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** A saved dataset's build: queued on the job queue, building, then one of the final three. */
export const DATASET_STATUSES = ["queued", "building", "ready", "failed", "cancelled"] as const;
export type DatasetStatus = (typeof DATASET_STATUSES)[number];

/**
 * Where a dataset's entity rows come from: an uploaded CSV/Parquet file, a SELECT over the
 * project's offline space (sandboxed), or every entity of a view at a grid of times.
 */
export const DATASET_ENTITY_SOURCES = ["upload", "query", "grid"] as const;
export type DatasetEntitySource = (typeof DATASET_ENTITY_SOURCES)[number];

/** Where a dataset's rows are kept: a table in the project's offline space, or a Parquet file. */
export const DATASET_STORAGE = ["table", "parquet"] as const;
export type DatasetStorage = (typeof DATASET_STORAGE)[number];

/** What reads features through feature services. */
export const CONSUMER_KINDS = ["model", "service"] as const;
export type ConsumerKind = (typeof CONSUMER_KINDS)[number];

export const SCALAR_TYPES = [
  "int32",
  "int64",
  "float32",
  "float64",
  "string",
  "bool",
  "bytes",
  "unix_timestamp",
] as const;
export type ScalarType = (typeof SCALAR_TYPES)[number];

/** A feature's type: a scalar or a list of one. */
export const VALUE_TYPES = [...SCALAR_TYPES, ...SCALAR_TYPES.map((t) => `list<${t}>` as const)] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** Types a join key (an entity's value type) may have. */
export const JOIN_KEY_TYPES = ["int32", "int64", "string", "bytes"] as const;
export type JoinKeyType = (typeof JOIN_KEY_TYPES)[number];

/** Kinds of actor (server/core/context.ts `Actor`), as the audit log records them. */
export const ACTOR_KINDS = ["user", "api_key", "system", "local", "anonymous"] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** What an audit entry is about. */
export const AUDIT_OBJECT_TYPES = [
  "project",
  "member",
  "user",
  "api_key",
  "entity",
  "data_source",
  "feature_view",
  "feature_service",
  "consumer",
  "offline_schema",
  "dataset",
  "alert_rule",
  "transformation",
  "stream_view",
  "on_demand_view",
] as const;
export type AuditObjectType = (typeof AUDIT_OBJECT_TYPES)[number];

/** How a project may use a schema of the offline database (docs/adr/0013-offline-isolation.md). */
export const OFFLINE_SCHEMA_ACCESS = ["own", "shared"] as const;
export type OfflineSchemaAccess = (typeof OFFLINE_SCHEMA_ACCESS)[number];

/** How the last background probe of a data source ended. */
export const PROBE_STATUSES = ["ok", "timeout", "error"] as const;
export type ProbeStatus = (typeof PROBE_STATUSES)[number];

/**
 * Who read a feature view, as usage counts record it (server/usage): an API key, a signed-in user,
 * or anything else (Quiver itself, the local CLI), counted together without an id.
 */
export const USAGE_CALLER_KINDS = ["api_key", "user", "other"] as const;
export type UsageCallerKind = (typeof USAGE_CALLER_KINDS)[number];

/** How a feature view's materialization schedule fires (docs/adr/0031): a cron expression or every N minutes. */
export const SCHEDULE_KINDS = ["cron", "every"] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/** What became of one scheduled tick: a run was started, or skipped while the previous one still went. */
export const SCHEDULE_TICK_OUTCOMES = ["started", "skipped"] as const;
export type ScheduleTickOutcome = (typeof SCHEDULE_TICK_OUTCOMES)[number];
/**
 * What the statistics of a feature describe (server/statistics): numbers get a histogram, strings
 * and booleans their top values, other types (bytes, lists, times) only their count and nulls.
 */
export const STATISTICS_KINDS = ["numeric", "categorical", "count_only"] as const;
export type StatisticsKind = (typeof STATISTICS_KINDS)[number];

/** How a statistics row's distinct count was reached: Postgres counts exactly, DuckDB estimates (HyperLogLog). */
export const DISTINCT_METHODS = ["exact", "approximate"] as const;
export type DistinctMethod = (typeof DISTINCT_METHODS)[number];

/** The drift threshold on the population stability index when a project sets none. */
export const DEFAULT_DRIFT_THRESHOLD = 0.2;
/**
 * What an alert rule listens to (docs/adr/0032-alerts.md): a view entering breach, its last run
 * failing, the end of either, and drift reported by the statistics jobs.
 */
export const ALERT_EVENTS = ["breach", "failed_run", "recovery", "drift"] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];

/** The body a webhook receives: Quiver's own JSON, or one Slack or Microsoft Teams accepts. */
export const ALERT_FORMATS = ["json", "slack", "teams"] as const;
export type AlertFormat = (typeof ALERT_FORMATS)[number];

/**
 * Why a view is in breach: its last run failed; no run succeeded recently enough (or ever); or runs
 * could not help because the source's newest event is itself older than the SLA.
 */
export const INCIDENT_CAUSES = ["failed_run", "no_run", "late_source_data"] as const;
export type IncidentCause = (typeof INCIDENT_CAUSES)[number];

/** A webhook delivery: waiting for its (next) attempt, answered with 2xx, or out of attempts. */
export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Delivery events: the rules' ones, and the test a person sends from the Alerts page. */
export const DELIVERY_EVENTS = [...ALERT_EVENTS, "test"] as const;
export type DeliveryEvent = (typeof DELIVERY_EVENTS)[number];

/** How a transformation run fills its output table (docs/adr/0035-batch-transformations.md). */
export const TRANSFORMATION_RUN_MODES = ["full", "incremental", "backfill"] as const;
export type TransformationRunMode = (typeof TRANSFORMATION_RUN_MODES)[number];

/** Which engine runs a transformation: Postgres for table and query sources, DuckDB for file sources. */
export const TRANSFORMATION_ENGINES = ["postgres", "duckdb"] as const;
export type TransformationEngineName = (typeof TRANSFORMATION_ENGINES)[number];

/** Stream view aggregations (docs/adr/0037-stream-aggregations.md). */
export const STREAM_AGGREGATION_FUNCTIONS = ["count", "sum", "avg", "min", "max", "last"] as const;
export type StreamAggregationFunction = (typeof STREAM_AGGREGATION_FUNCTIONS)[number];
/** Sliding: the last N tiles up to the current one; tumbling: the epoch-aligned window holding the read time. */
export const STREAM_WINDOW_KINDS = ["sliding", "tumbling"] as const;
export type StreamWindowKind = (typeof STREAM_WINDOW_KINDS)[number];
/** The stream adapters Quiver ships (Kafka can follow behind server/streams/adapter.ts). */
export const STREAM_ADAPTERS = ["redis"] as const;
export type StreamAdapterName = (typeof STREAM_ADAPTERS)[number];
