import { z } from "zod";

/** Process configuration, parsed once. Unset DATABASE_URL / REDIS_URL select the embedded defaults. */
const EnvSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Folder for the embedded Postgres data and the runtime file the CLI reads. */
  QUIVER_HOME: z.string().default(".quiver"),
  /** Fixed port of the embedded Postgres, so the CLI finds the app's database. */
  QUIVER_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /** Project used by the REST API when a request names none. */
  QUIVER_DEFAULT_PROJECT: z.string().default("demo"),
  /** Signs session cookies; when unset, one is generated into `${QUIVER_HOME}/auth-secret`. */
  QUIVER_AUTH_SECRET: z.string().min(32).optional(),
  /** Sign-in attempts allowed per minute and client IP. */
  QUIVER_LOGINS_PER_MINUTE: z.coerce.number().int().min(1).default(5),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
});

export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

export function env(): Env {
  if (!cached) {
    const parsed = EnvSchema.safeParse(process.env);
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
