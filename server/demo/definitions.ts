import "server-only";
import type { OnDemandViewSpecInput } from "../on-demand/spec";
import type {
  ConsumerInput,
  DataSourceInput,
  EntityInput,
  FeatureServiceInput,
  FeatureViewSpecInput,
} from "../registry/schemas";
import type { StreamViewSpecInput } from "../streams/schemas";
import type { TransformationSpec } from "../transformations/schemas";
import { CUSTOMER_TABLE, DRIVER_TABLE } from "./offline-data";

/** The registry objects of the demo project, modelled on Feast's ride-hailing example. */

export const DEMO_PROJECT = {
  name: "demo",
  description: "A ride-hailing example: driver and customer features feeding an ETA model.",
};

const MOBILITY = { team: "mobility", tier: "gold" };
const RIDER = { team: "rider-experience", tier: "silver" };
const MOBILITY_OWNER = "mobility-ml@example.com";
const RIDER_OWNER = "rider-data@example.com";

export const DEMO_ENTITIES: EntityInput[] = [
  {
    name: "driver",
    joinKey: "driver_id",
    valueType: "int64",
    description: "A driver registered on the platform, identified by the id of their driver account.",
    tags: MOBILITY,
    owner: MOBILITY_OWNER,
  },
  {
    name: "customer",
    joinKey: "customer_id",
    valueType: "int64",
    description: "A rider who books trips, identified by their customer account id.",
    tags: RIDER,
    owner: RIDER_OWNER,
  },
];

export const DEMO_SOURCES: DataSourceInput[] = [
  {
    name: "driver_stats_source",
    kind: "table",
    tableName: DRIVER_TABLE,
    timestampField: "event_timestamp",
    createdTimestampField: "created",
    description: "Hourly driver statistics computed by the trips pipeline from completed and offered rides.",
    tags: { ...MOBILITY, pipeline: "trips-hourly" },
    owner: MOBILITY_OWNER,
  },
  {
    name: "customer_profile_source",
    kind: "table",
    tableName: CUSTOMER_TABLE,
    timestampField: "event_timestamp",
    createdTimestampField: "created",
    description: "Daily snapshot of customer accounts exported from the billing and trips databases.",
    tags: { ...RIDER, pipeline: "customer-daily" },
    owner: RIDER_OWNER,
  },
];

const HOUR = 3600;

export const DEMO_FEATURE_VIEWS: FeatureViewSpecInput[] = [
  {
    name: "driver_hourly_stats",
    entities: ["driver"],
    source: "driver_stats_source",
    ttlSeconds: 24 * HOUR,
    freshnessSlaSeconds: 2 * HOUR,
    online: true,
    offline: true,
    description:
      "How each driver performed over the last hour: offer conversion, acceptance and trip volume.",
    tags: MOBILITY,
    owner: MOBILITY_OWNER,
    fields: [
      {
        name: "conv_rate",
        dtype: "float64",
        description: "Share of ride offers shown to the driver that turned into completed trips (0 to 1).",
        tags: { unit: "ratio" },
      },
      {
        name: "acc_rate",
        dtype: "float64",
        description: "Share of ride offers the driver accepted within the response window (0 to 1).",
        tags: { unit: "ratio" },
      },
      {
        name: "avg_daily_trips",
        dtype: "int64",
        description: "Average number of trips the driver completed per day over the trailing week.",
        tags: { unit: "trips" },
      },
    ],
  },
  {
    name: "customer_profile",
    entities: ["customer"],
    source: "customer_profile_source",
    ttlSeconds: 48 * HOUR,
    freshnessSlaSeconds: 26 * HOUR,
    online: true,
    offline: true,
    description: "A daily profile of each customer: account balance and riding habits.",
    tags: RIDER,
    owner: RIDER_OWNER,
    fields: [
      {
        name: "current_balance",
        dtype: "float64",
        description: "Prepaid balance on the customer's account at snapshot time, in US dollars.",
        tags: { unit: "usd", pii: "false" },
      },
      {
        name: "avg_passenger_count",
        dtype: "float64",
        description: "Average number of passengers on the customer's trips over the last 90 days.",
        tags: { unit: "passengers" },
      },
      {
        name: "lifetime_trip_count",
        dtype: "int64",
        description: "Number of trips the customer has completed since signing up.",
        tags: { unit: "trips" },
      },
    ],
  },
];

/** The trailing 7 days of a driver's hourly rows, up to and including each row's hour. */
const LAST_7_DAYS =
  "(PARTITION BY driver_id ORDER BY event_timestamp RANGE BETWEEN INTERVAL '7 days' PRECEDING AND CURRENT ROW)";

/**
 * The demo's batch transformation (docs/adr/0035-batch-transformations.md): 7-day window
 * aggregates of the hourly driver statistics, written to its output source `driver_stats_7d`,
 * which the view of the same name reads.
 */
export const DEMO_TRANSFORMATIONS: TransformationSpec[] = [
  {
    name: "driver_stats_7d",
    sql: [
      "SELECT driver_id, event_timestamp,",
      `  count(*) OVER ${LAST_7_DAYS} AS hours_reported_7d,`,
      `  avg(conv_rate) OVER ${LAST_7_DAYS} AS conv_rate_7d_avg,`,
      `  max(avg_daily_trips) OVER ${LAST_7_DAYS} AS daily_trips_7d_max`,
      "FROM driver_stats_source",
    ].join("\n"),
    eventTimestampColumn: "event_timestamp",
    description: "Each driver's trailing 7 days: hours reported, mean conversion rate, busiest day.",
    tags: { ...MOBILITY, pipeline: "trips-7d" },
    owner: MOBILITY_OWNER,
  },
];

/** Feature views over transformation outputs: registered after the transformations ran. */
export const DEMO_TRANSFORMED_VIEWS: FeatureViewSpecInput[] = [
  {
    name: "driver_stats_7d",
    entities: ["driver"],
    source: "driver_stats_7d",
    ttlSeconds: 24 * HOUR,
    freshnessSlaSeconds: 2 * HOUR,
    online: true,
    offline: true,
    description: "A driver's last 7 days, computed by the driver_stats_7d transformation.",
    tags: MOBILITY,
    owner: MOBILITY_OWNER,
    fields: [
      {
        name: "hours_reported_7d",
        dtype: "int64",
        description: "Hourly statistics rows the driver produced in the trailing 7 days.",
        tags: { unit: "hours" },
      },
      {
        name: "conv_rate_7d_avg",
        dtype: "float64",
        description: "Mean of the hourly conversion rate over the trailing 7 days (0 to 1).",
        tags: { unit: "ratio" },
      },
      {
        name: "daily_trips_7d_max",
        dtype: "int64",
        description: "The highest average-daily-trips figure reported in the trailing 7 days.",
        tags: { unit: "trips" },
      },
    ],
  },
];

/**
 * The demo's stream view (docs/adr/0037-stream-aggregations.md): trip events on the Redis Stream
 * `demo:trips`, aggregated per driver over 5 minutes, 1 hour and 1 day. `npx quiver demo-stream`
 * sends events; `npx quiver stream-worker` consumes them.
 */
export const DEMO_STREAM_VIEWS: StreamViewSpecInput[] = [
  {
    name: "driver_trips_live",
    entities: ["driver"],
    stream: { adapter: "redis", key: "demo:trips" },
    timestampField: "event_timestamp",
    eventIdField: "trip_id",
    aggregations: [
      { name: "trips_5m", function: "count", windowSeconds: 300, kind: "sliding" },
      { name: "trips_1h", function: "count", windowSeconds: 3600, kind: "sliding" },
      { name: "fare_sum_1h", column: "fare", function: "sum", windowSeconds: 3600, kind: "sliding" },
      { name: "fare_avg_1d", column: "fare", function: "avg", windowSeconds: 86_400, kind: "sliding" },
      { name: "fare_max_1d", column: "fare", function: "max", windowSeconds: 86_400, kind: "sliding" },
      { name: "last_fare", column: "fare", function: "last", windowSeconds: 86_400, kind: "sliding" },
    ],
    tileSeconds: 60,
    allowedLatenessSeconds: 120,
    description: "Live trip counts and fares per driver, from the trip events stream.",
    tags: { ...MOBILITY, pipeline: "trips-stream" },
    owner: MOBILITY_OWNER,
  },
];

/**
 * The demo's on-demand view (docs/adr/0036-on-demand-features.md): features computed per request
 * from the driver's hourly statistics and the caller's boost, e.g.
 * `{"features": ["driver_scores:boosted_conv_rate"], "entities": {"driver_id": [1001]},
 * "request_context": {"boost": [1.5]}}`.
 */
export const DEMO_ON_DEMAND_VIEWS: OnDemandViewSpecInput[] = [
  {
    name: "driver_scores",
    inputs: ["driver_hourly_stats:conv_rate", "driver_hourly_stats:acc_rate"],
    requestFields: [{ name: "boost", dtype: "float64" }],
    fields: [
      {
        name: "boosted_conv_rate",
        dtype: "float64",
        expression: "driver_hourly_stats.conv_rate * request.boost",
        description: "The conversion rate scaled by the request's boost.",
      },
      {
        name: "reliable",
        dtype: "bool",
        expression: "driver_hourly_stats.acc_rate > 0.8 && driver_hourly_stats.conv_rate > 0.5",
        description: "Accepts most offers and converts most of them.",
      },
    ],
    description: "Request-time scores of a driver for the dispatcher.",
    tags: { ...MOBILITY },
    owner: MOBILITY_OWNER,
  },
];

export const DEMO_FEATURE_SERVICES: FeatureServiceInput[] = [
  {
    name: "driver_activity",
    features: [
      "driver_hourly_stats:conv_rate",
      "driver_hourly_stats:acc_rate",
      "driver_hourly_stats:avg_daily_trips",
      "customer_profile:current_balance",
      "customer_profile:avg_passenger_count",
      "customer_profile:lifetime_trip_count",
    ],
    description: "Everything the ETA model reads at prediction time about the driver and the rider.",
    tags: { ...MOBILITY, model: "eta" },
    owner: MOBILITY_OWNER,
  },
];

/**
 * A saved training set of the ETA model: the service's features for trips (a driver, a rider and a
 * request time) written by the seed as an uploaded CSV (demoEntityRows), built by the dataset job.
 */
export const DEMO_DATASET = {
  name: "eta_training",
  description: "Training rows of the ETA model: the driver_activity features as of each trip's request time.",
  tags: { ...MOBILITY, model: "eta" },
  owner: "eta-team@example.com",
  selection: { featureService: "driver_activity" },
  fileName: "eta_trips.csv",
  /** Trips in the file. */
  rows: 240,
} as const;

export const DEMO_CONSUMERS: ConsumerInput[] = [
  {
    name: "eta_model",
    kind: "model",
    featureServices: ["driver_activity"],
    datasets: [DEMO_DATASET.name],
    description: "Gradient-boosted model predicting trip arrival times, served behind the dispatch API.",
    tags: { ...MOBILITY, stage: "production" },
    owner: "eta-team@example.com",
  },
];
