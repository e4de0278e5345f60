import { z } from "zod";

/** A comma-separated list, trimmed, without empty entries. */
function list(s: string): string[] {
  return s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Levels of QUIVER_LOG_LEVEL, most severe first (pino's names). */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Process configuration, parsed once. Unset DATABASE_URL / REDIS_URL select the embedded defaults. */
const EnvSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
  /**
   * Redis Cluster startup nodes, `host:port,host:port,...`: the online store and the shared rate
   * limits use the cluster (ioredis Cluster) instead of REDIS_URL.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*,?\s*$/, "host:port,host:port,...")
    .transform(list)
    .optional(),
  /** How long any Redis call (connect, read, write, ping) may take before it fails, in ms. */
  QUIVER_REDIS_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /**
   * The offline store's Postgres (used as its administrator: roles, schemas, grants; never for
   * source SQL). Unset: a database named after DATABASE_URL's with "_offline" on the same server.
   */
  OFFLINE_DATABASE_URL: z.string().url().optional(),
  /** `off` refuses query sources (registering them and scanning them). */
  QUIVER_QUERY_SOURCES: z.enum(["on", "off"]).default("on"),
  /** statement_timeout of source probes (registration checks, freshness), in ms. */
  QUIVER_OFFLINE_PROBE_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** statement_timeout of each step of a materialization scan, in ms. */
  QUIVER_OFFLINE_SCAN_TIMEOUT_MS: z.coerce.number().int().min(100).default(600_000),
  /** statement_timeout of offline writes (pushes, the demo seed), in ms. */
  QUIVER_OFFLINE_WRITE_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  /** lock_timeout of every offline statement, in ms. */
  QUIVER_OFFLINE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(10).default(5_000),
  /** Concurrent offline statements per project and process (the size of its reader pool). */
  QUIVER_OFFLINE_CONNECTIONS: z.coerce.number().int().min(1).max(100).default(4),
  /** Prefix of the per-project offline roles; unset, one derived from the offline database's name. */
  QUIVER_OFFLINE_ROLE_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,19}$/)
    .optional(),
  /** Schemas a project owner may grant their project read access to (comma-separated). */
  QUIVER_SHARED_SCHEMAS: z.string().default("").transform(list),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Folder for the embedded Postgres data and the runtime file the CLI reads. */
  QUIVER_HOME: z.string().default(".quiver"),
  /**
   * The offline store's file area: file sources, uploaded entity files, Parquet datasets, one folder
   * per project. Unset: `${QUIVER_HOME}/files`. App and workers must see the same folder.
   */
  QUIVER_FILES_DIR: z.string().optional(),
  /** Fixed port of the embedded Postgres, so the CLI finds the app's database. */
  QUIVER_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /** Project used by the REST API when a request names none. */
  QUIVER_DEFAULT_PROJECT: z.string().default("demo"),
  /** Signs session cookies; when unset, one is generated into `${QUIVER_HOME}/auth-secret`. */
  QUIVER_AUTH_SECRET: z.string().min(32).optional(),
  /** Sign-in attempts allowed per minute and client IP. */
  QUIVER_LOGINS_PER_MINUTE: z.coerce.number().int().min(1).default(5),
  /** The app's public address (scheme, host, port), e.g. https://features.example.com behind a proxy. */
  QUIVER_PUBLIC_URL: z.string().url().optional(),
  /** More origins allowed to sign in and send writes (comma-separated), besides the public URL and loopback. */
  QUIVER_TRUSTED_ORIGINS: z.string().default("").transform(list),
  /** Addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed (comma-separated). */
  QUIVER_TRUSTED_PROXIES: z.string().default("").transform(list),
  /** Bearer token that opens /metrics from anywhere; unset, only loopback clients (server/metrics/access.ts). */
  QUIVER_METRICS_TOKEN: z.string().min(16).optional(),
  /** A running materialization run whose heartbeat is older than this is failed and retried, in seconds. */
  QUIVER_RUN_HEARTBEAT_TIMEOUT_S: z.coerce.number().int().min(5).default(60),
  /** How often each worker process looks for due feature view schedules, in ms (docs/adr/0031). */
  QUIVER_SCHEDULE_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** How often each worker samples every view's lag (server/freshness/sample-lag.ts), in ms; tests shorten it. */
  QUIVER_LAG_SAMPLE_MS: z.coerce.number().int().min(50).default(60_000),
  /** Online writes a materialization keeps in flight while it reads the next batches (pipeline.ts). */
  QUIVER_MATERIALIZE_WRITES_IN_FLIGHT: z.coerce.number().int().min(1).max(16).default(3),
  /**
   * A run whose view the planner expects to give more rows than this is split into key ranges that
   * several workers write at once (docs/adr/0005-materialization.md); 0 (the default) never splits:
   * on one 2-core host a split run was 15–40 % slower, so splitting is for deployments with workers
   * on other cores or hosts.
   */
  QUIVER_MATERIALIZE_SPLIT_ROWS: z.coerce.number().int().min(0).default(0),
  /** At most this many key ranges per split run. */
  QUIVER_MATERIALIZE_MAX_RANGES: z.coerce.number().int().min(2).max(64).default(8),
  /** How often usage counts (key last use, per-view reads) are written to Postgres, in ms; 0: only at shutdown. */
  QUIVER_USAGE_FLUSH_MS: z.coerce.number().int().min(0).default(5_000),
  /** Online lookups: most entity rows per request (more is a 400 naming this cap). */
  QUIVER_SERVING_MAX_ENTITIES: z.coerce.number().int().min(1).max(100_000).default(1_000),
  /** Online lookups: most entity rows x features per request (more is a 400 naming this cap). */
  QUIVER_SERVING_MAX_VALUES: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  /** Online lookups: an answer not ready after this many ms is a 503 with Retry-After, never a late 200. */
  QUIVER_SERVING_DEADLINE_MS: z.coerce.number().int().min(10).default(2_000),
  /** How often each worker looks for views entering or leaving breach, and for webhooks to send, in ms. */
  QUIVER_ALERT_POLL_MS: z.coerce.number().int().min(100).default(15_000),
  /** Delay before a webhook's second attempt, doubled at each further one, in ms. */
  QUIVER_ALERT_RETRY_MS: z.coerce.number().int().min(10).default(30_000),
  /** Attempts of a webhook delivery before it is marked failed. */
  QUIVER_ALERT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  /** How long a webhook receiver may take to answer, in ms. */
  QUIVER_ALERT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** Least severe level written (server/core/log.ts); unset: "info", or "silent" under vitest. */
  QUIVER_LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

export function env(): Env {
  if (!cached) {
    // A variable set but empty (`DATABASE_URL=`) counts as unset, as most tools take it.
    const set = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== ""));
    const parsed = EnvSchema.safeParse(set);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new Error(`Invalid environment: ${issues}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/** Tests and the launcher change the environment after first read. */
export function resetEnvCache(): void {
  cached = undefined;
}
