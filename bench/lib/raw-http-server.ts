/**
 * The raw HTTP baseline of bench/serve.ts: the least a server can do to answer a lookup from Redis
 * over HTTP, so the feature server's ratio to it measures Quiver's own cost, not node:http's.
 *   node --import tsx --import ./bin/hooks/register-server-only.mjs bench/lib/raw-http-server.ts \
 *     '{"port":16568, "workers":2, "redisUrl":"redis://...", "project":"p", "view":"v",
 *       "joinKey":"driver_id", "command":"pipeline"}'
 * Each of `workers` processes (node:cluster) reads the Feast-shaped JSON body, fetches every
 * entity's row (the same keys and layout as the online store) in one round trip, with a pipeline
 * of one GET per entity ("pipeline", the raw reader) or one MGET ("mget", the command
 * Quiver's reader sends), and answers the bytes as they came: no auth, registry, decoding or
 * limits. Prints "ready" once every worker listens.
 */
import cluster from "node:cluster";
import http from "node:http";
import { Redis } from "ioredis";
import { entityKey } from "../../server/online";
import { rowKey } from "../../server/online/redis-keys";

interface RawArgs {
  port: number;
  workers: number;
  redisUrl: string;
  project: string;
  view: string;
  joinKey: string;
  command: "pipeline" | "mget";
  /** ioredis auto-pipelining, as Quiver's own client has it (BENCH_RAW_AUTOPIPELINING=1). */
  autoPipelining?: boolean;
}

const args = JSON.parse(process.argv[2] ?? "{}") as RawArgs;

if (cluster.isPrimary) {
  let listening = 0;
  for (let i = 0; i < args.workers; i++) cluster.fork();
  cluster.on("listening", () => {
    if (++listening === args.workers) console.log("ready");
  });
  cluster.on("exit", (_w, code) => {
    if (code) process.exit(code);
  });
  process.on("SIGTERM", () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exit(0);
  });
} else {
  const redis = new Redis(args.redisUrl, { enableAutoPipelining: args.autoPipelining === true });
  const read = async (keys: string[]): Promise<(Buffer | null)[]> => {
    if (args.command === "mget") return redis.mgetBuffer(keys);
    const p = redis.pipeline();
    for (const k of keys) p.getBuffer(k);
    const results = (await p.exec()) ?? [];
    return results.map(([e, v]) => {
      if (e) throw e;
      return v as Buffer | null;
    });
  };
  http
    .createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          entities: Record<string, (string | number)[]>;
        };
        const ids = body.entities[args.joinKey] ?? [];
        const keys = ids.map((id) => rowKey("", args.project, args.view, entityKey({ [args.joinKey]: id })));
        read(keys).then(
          (rows) => {
            const bytes = Buffer.concat(rows.filter((r): r is Buffer => r !== null));
            res.writeHead(200, {
              "content-type": "application/octet-stream",
              "content-length": bytes.length,
            });
            res.end(bytes);
          },
          (e: unknown) => {
            res.writeHead(503, { "content-type": "text/plain" });
            res.end(String(e));
          },
        );
      });
    })
    .listen(args.port, "127.0.0.1");
}
