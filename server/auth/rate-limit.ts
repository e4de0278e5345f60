import "server-only";
import { z } from "zod";

/**
 * Token buckets. The API-key limit every process applies is the shared one
 * (./shared-rate-limit.ts: Redis or Postgres, docs/adr/0017-shared-rate-limits.md); the buckets
 * here, kept in this process's memory, are its fallback while the shared store is down.
 */
export interface RateLimiter {
  /** Takes one token for `key`: 0 when allowed, else the seconds to wait before retrying. */
  take(key: string): number | Promise<number>;
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

/** Buckets in this process's memory. */
export function createRateLimiter({ rate, burst, now = Date.now }: RateLimitOptions): {
  take(key: string): number;
} {
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

/**
 * The API-key limit: QUIVER_API_KEY_RATE requests per second (50) in bursts of
 * QUIVER_API_KEY_BURST (100), per key, across every process.
 */
export function apiKeyLimits(): { rate: number; burst: number } {
  const parsed = LimitEnv.safeParse(process.env);
  if (!parsed.success) throw new Error(`Invalid environment: ${parsed.error.issues[0]?.message ?? ""}`);
  return { rate: parsed.data.QUIVER_API_KEY_RATE, burst: parsed.data.QUIVER_API_KEY_BURST };
}
