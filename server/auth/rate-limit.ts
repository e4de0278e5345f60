import { z } from "zod";

/**
 * Token buckets kept in this process's memory: each process (app, feature server) limits on its
 * own, so N processes behind a load balancer allow N times the rate. Good enough to stop one
 * runaway client; a shared limit would need Redis (docs/adr/0009-api-keys.md).
 */
export interface RateLimiter {
  /** Takes one token for `key`: 0 when allowed, else the seconds to wait before retrying. */
  take(key: string): number;
}

export interface RateLimitOptions {
  /** Tokens added per second. */
  rate: number;
  /** Bucket size: how many requests may come at once after a quiet spell. */
  burst: number;
  now?: () => number;
}

/** Buckets idle this long are full again and dropped, so memory follows the active keys. */
const IDLE_MS = 60_000;

export function createRateLimiter({ rate, burst, now = Date.now }: RateLimitOptions): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  let lastSweep = now();
  return {
    take(key) {
      const t = now();
      if (t - lastSweep > IDLE_MS) {
        for (const [k, b] of buckets) if (t - b.at > IDLE_MS) buckets.delete(k);
        lastSweep = t;
      }
      const b = buckets.get(key) ?? { tokens: burst, at: t };
      b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * rate);
      b.at = t;
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / rate));
    },
  };
}

const LimitEnv = z.object({
  QUIVER_API_KEY_RATE: z.coerce.number().positive().default(50),
  QUIVER_API_KEY_BURST: z.coerce.number().int().positive().default(100),
});

const KEY = Symbol.for("quiver.apiKeyRateLimiter");
type Holder = { [KEY]?: RateLimiter };

/**
 * The process's limiter for API keys: QUIVER_API_KEY_RATE requests per second (50), bursts of
 * QUIVER_API_KEY_BURST (100). On globalThis so Next's dev reloads keep one set of buckets.
 */
export function apiKeyRateLimiter(): RateLimiter {
  const holder = globalThis as Holder;
  if (!holder[KEY]) {
    const parsed = LimitEnv.safeParse(process.env);
    if (!parsed.success) throw new Error(`Invalid environment: ${parsed.error.issues[0]?.message ?? ""}`);
    holder[KEY] = createRateLimiter({
      rate: parsed.data.QUIVER_API_KEY_RATE,
      burst: parsed.data.QUIVER_API_KEY_BURST,
    });
  }
  return holder[KEY];
}
