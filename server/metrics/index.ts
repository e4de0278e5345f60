import "server-only";

/** Prometheus metrics (README.md): what other modules call to count, and how /metrics is served. */
export { cameThroughProxy, isLoopback, metricsAccess, VIA_PROXY_HEADER } from "./access";
export { instrumentOnlineStore } from "./online-store";
export {
  metricsUsageSink,
  observeRequest,
  recordMaterializedRows,
  recordServed,
  watchRegistryCache,
  withMetricsUsage,
} from "./record";
export { answerWorkerScrapes, type Scraped, scrapeMetrics } from "./scrape";
