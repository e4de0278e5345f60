import { handleMetrics } from "@/server/web/http-handlers";

/** Prometheus metrics of this process: a token or a loopback client only (server/metrics/access.ts). */
export function GET(req: Request) {
  return handleMetrics(req);
}
