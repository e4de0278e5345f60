/**
 * One of the processes of shared-rate-limit.int.test.ts: takes tokens for one key as fast as it
 * can once told "go", then prints how many it got. Run as `node --import tsx` with HAMMER set.
 */
import readline from "node:readline";
import { createSharedRateLimiter } from "../../server/auth/shared-rate-limit";
import { createPool } from "../../server/db/client";

const cfg = JSON.parse(process.env.HAMMER ?? "{}") as {
  databaseUrl: string;
  redisUrl?: string;
  prefix: string;
  key: string;
  rate: number;
  burst: number;
};
const pool = createPool(cfg.databaseUrl, 2);
const limiter = createSharedRateLimiter({
  rate: cfg.rate,
  burst: cfg.burst,
  pool,
  redisUrl: cfg.redisUrl,
  prefix: cfg.prefix,
  log: (line) => console.error(line),
});
// Open the connection first, on another key, so that "go" starts the race at once.
await limiter.take(`${cfg.key}:warm-up`);
console.log("ready");
const lines = readline.createInterface({ input: process.stdin });
const [, ms] = (await new Promise<string>((resolve) => lines.once("line", resolve))).split(" ");
lines.close();
const first = Date.now();
const until = first + Number(ms);
let allowed = 0;
let refused = 0;
while (Date.now() < until) {
  if ((await limiter.take(cfg.key)) === 0) allowed++;
  else refused++;
}
const last = Date.now();
console.log(JSON.stringify({ allowed, refused, first, last }));
await limiter.close();
await pool.end();
