import { redact } from "../../../server/boot/launch";
import { env } from "../../../server/env";
import { connectRedis, connectRedisCluster, migrateLegacyOnlineRows } from "../../../server/online";
import type { RedisClient } from "../../../server/online/redis-client";
import type { MigrateProgress } from "../../../server/online/redis-migrate";
import { parseCommandArgs, parsePositiveInt, UsageError } from "../args";
import { log } from "../log";

/** How long the command waits for Redis: an operator's one-off run, not a lookup. */
const TIMEOUT_MS = 10_000;
/** At most one progress line this often (a pass over millions of keys takes thousands of steps). */
const PROGRESS_EVERY_MS = 1_000;

export const ONLINE_USAGE = `  online migrate [--prefix P] [--count N]
                                   rewrite the online rows still in the legacy hash layout to
                                   the binary layout (docs/adr/0024), on Redis or every master of
                                   a Redis Cluster; lookups then read with one MGET. Run it once
                                   every Quiver process runs this version (an older one still
                                   writes hashes). Safe to run again; exits 1 when rows kept
                                   changing and were left (run it again). --prefix: key prefix
                                   (none in Quiver's own processes); --count: keys per SCAN step`;

/**
 * `quiver online migrate`: migrateLegacyOnlineRows (server/online/redis-migrate.ts) on the Redis
 * the runtime would use: REDIS_CLUSTER_NODES, else REDIS_URL. The Postgres online store has no
 * legacy layout, so without either the command is refused (exit 2). Talks to Redis only.
 */
export async function onlineCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(argv, {
    strings: ["prefix", "count"],
    positionals: [1, 1],
    names: "migrate",
  });
  if (positionals[0] !== "migrate")
    throw new UsageError(`unknown subcommand "${positionals[0]}": use migrate`);
  const prefix = typeof values.prefix === "string" ? values.prefix : "";
  if (/[{}]/.test(prefix)) throw new UsageError(`--prefix: "${prefix}" must not hold { or }`);
  const count = parsePositiveInt(values.count, "--count");

  const { REDIS_CLUSTER_NODES: nodes, REDIS_URL: url } = env();
  let client: RedisClient;
  if (nodes && nodes.length > 0) {
    client = connectRedisCluster(nodes.join(","), { timeoutMs: TIMEOUT_MS });
    log(`migrating online rows on the Redis Cluster at ${nodes.join(",")}${prefixText(prefix)}`);
  } else if (url) {
    client = connectRedis(url, { timeoutMs: TIMEOUT_MS });
    log(`migrating online rows on the Redis at ${redact(url)}${prefixText(prefix)}`);
  } else {
    console.error(
      "quiver online: the online store is the Postgres table (neither REDIS_CLUSTER_NODES nor REDIS_URL is set); " +
        "only a Redis online store has legacy rows to migrate",
    );
    return 2;
  }

  try {
    let lastLine = Date.now();
    const finished = new Set<string>();
    const result = await migrateLegacyOnlineRows(client, {
      prefix,
      count,
      onProgress(p) {
        const now = Date.now();
        // a cluster master whose cursor came back to "0" has been scanned to the end
        const cursors = Object.entries(p.cursors);
        const newlyDone = cursors
          .filter(([node, cursor]) => cursors.length > 1 && cursor === "0" && !finished.has(node))
          .map(([node]) => node);
        for (const node of newlyDone) finished.add(node);
        if (p.done) return; // the summary follows
        if (newlyDone.length === 0 && now - lastLine < PROGRESS_EVERY_MS) return;
        lastLine = now;
        const where = newlyDone.length > 0 ? ` (${newlyDone.join(", ")} scanned to the end)` : "";
        log(`${counts(p)}${where}`);
      },
    });
    log(`done: ${counts(result)}`);
    if (result.replacedMeanwhile > 0)
      log(`${result.replacedMeanwhile} rows were rewritten or removed by a writer meanwhile (nothing to do)`);
    if (result.invalid > 0)
      log(
        `${result.invalid} hashes under the prefix are no row (no _ts, or a value that is not JSON): left as they are`,
      );
    if (result.leftBehind > 0) {
      console.error(
        `quiver online: ${result.leftBehind} legacy rows changed while being converted and were left as they are; ` +
          "run `quiver online migrate` again (lookups keep reading them meanwhile)",
      );
      return 1;
    }
    log("no legacy row is left: lookups now read with one MGET");
    return 0;
  } finally {
    await client.quit().catch(() => client.disconnect());
  }
}

function counts(p: MigrateProgress): string {
  return `scanned ${p.scanned} legacy rows, converted ${p.converted}, left behind ${p.leftBehind}`;
}

function prefixText(prefix: string): string {
  return prefix === "" ? "" : ` under the key prefix "${prefix}"`;
}
