import "server-only";
import cluster from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";
import { quiverMetrics } from "./registry";

/**
 * A scrape: this process's registry in Prometheus's text format. In a cluster (the feature server's
 * `--workers N`) a scrape reaches one worker, which asks the primary; the primary collects every
 * worker's registry through prom-client's AggregatorRegistry (counters and histograms summed,
 * gauges as each declares) and answers, so one scrape of the shared port sees the whole server.
 */
export interface Scraped {
  contentType: string;
  text: string;
}

const REQUEST = "quiver:metrics-request";
const ANSWER = "quiver:metrics-answer";
/** A primary that does not answer within this is reported as a failed scrape. */
const PRIMARY_WAIT_MS = 10_000;

interface Waiting {
  resolve(s: Scraped): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}
const waiting = new Map<number, Waiting>();
let sequence = 0;
let answersHeard = false;

export async function scrapeMetrics(): Promise<Scraped> {
  if (cluster.isWorker && process.send) return askPrimary();
  const { registry } = quiverMetrics();
  return { contentType: registry.contentType, text: await registry.metrics() };
}

type Message = { type?: unknown; id?: unknown; text?: unknown; contentType?: unknown; error?: unknown };

function askPrimary(): Promise<Scraped> {
  if (!answersHeard) {
    answersHeard = true;
    process.on("message", (message: Message) => {
      if (message?.type !== ANSWER || typeof message.id !== "number") return;
      const w = waiting.get(message.id);
      if (!w) return;
      waiting.delete(message.id);
      clearTimeout(w.timer);
      if (typeof message.text === "string" && typeof message.contentType === "string")
        w.resolve({ text: message.text, contentType: message.contentType });
      else w.reject(new Error(`the primary could not collect metrics: ${String(message.error)}`));
    });
  }
  const id = ++sequence;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error(`the primary did not answer a metrics request within ${PRIMARY_WAIT_MS} ms`));
    }, PRIMARY_WAIT_MS);
    waiting.set(id, { resolve, reject, timer });
    process.send?.({ type: REQUEST, id });
  });
}

/**
 * In a cluster's primary: answers workers' metrics requests with every worker's metrics summed,
 * followed by the primary's own registry (`own`: metrics of the primary itself, such as restarts;
 * their names must not be the workers').
 */
export function answerWorkerScrapes(own: Registry): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: Message) => {
    if (message?.type !== REQUEST || typeof message.id !== "number") return;
    const id = message.id;
    aggregator
      .clusterMetrics()
      .then(async (workers) => {
        const mine = await own.metrics();
        const text = workers.endsWith("\n") || workers === "" ? workers + mine : `${workers}\n${mine}`;
        return { type: ANSWER, id, text, contentType: aggregator.contentType };
      })
      .catch((e: unknown) => ({ type: ANSWER, id, error: e instanceof Error ? e.message : String(e) }))
      .then((answer) => {
        if (worker.isConnected()) worker.send(answer);
      });
  });
}
