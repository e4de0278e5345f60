/**
 * The HTTP load generator of bench/serve.ts, run as a process of its own so it never shares an
 * event loop with what it measures: autocannon POSTs the bodies of a JSON file in turn.
 *   tsx bench/lib/load.ts '{"url":..., "key":..., "bodies":"/tmp/x.json", "connections":32, "seconds":8, "rate":0}'
 * Prints one JSON line: requests/s, p50 and p99 in ms, errors.
 */
import fs from "node:fs";
import autocannon from "autocannon";

interface LoadArgs {
  url: string;
  key: string;
  bodies: string;
  connections: number;
  seconds: number;
  /** Requests per second across all connections; 0: as fast as the server answers. */
  rate: number;
}

const args = JSON.parse(process.argv[2] ?? "{}") as LoadArgs;
const bodies = JSON.parse(fs.readFileSync(args.bodies, "utf8")) as string[];
let i = 0;
const result = await autocannon({
  url: args.url,
  connections: args.connections,
  duration: args.seconds,
  ...(args.rate > 0 ? { overallRate: args.rate } : {}),
  requests: [
    {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${args.key}` },
      setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }),
    },
  ],
});
const ok = result.requests.total - result.non2xx;
console.log(
  JSON.stringify({
    requestsPerSec: ok / (result.duration || args.seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  }),
);
