import "server-only";
import type { OnlineStore } from "../online/types";
import { quiverMetrics } from "./registry";

/**
 * The store with its reads and writes timed into quiver_online_store_seconds {op, store} and its
 * failures counted in quiver_online_store_errors_total. Everything else passes through to the
 * store itself (it is the wrapper's prototype), so methods added to OnlineStore later need nothing
 * here.
 */
export function instrumentOnlineStore(store: OnlineStore): OnlineStore {
  const m = quiverMetrics();
  const labels = (op: "read" | "write") => ({ op, store: store.kind });
  const readTime = m.onlineStoreSeconds.labels(labels("read"));
  const writeTime = m.onlineStoreSeconds.labels(labels("write"));
  const readErrors = m.onlineStoreErrors.labels(labels("read"));
  const writeErrors = m.onlineStoreErrors.labels(labels("write"));
  const timed = async <T>(
    call: () => Promise<T>,
    time: { observe(s: number): void },
    errors: { inc(): void },
  ): Promise<T> => {
    const started = performance.now();
    try {
      return await call();
    } catch (e) {
      errors.inc();
      throw e;
    } finally {
      time.observe((performance.now() - started) / 1000);
    }
  };
  const wrapper: Pick<OnlineStore, "read" | "write"> = {
    read: (project, requests, entityKeys) =>
      timed(() => store.read(project, requests, entityKeys), readTime, readErrors),
    write: (project, featureView, rows) =>
      timed(() => store.write(project, featureView, rows), writeTime, writeErrors),
  };
  return Object.assign(Object.create(store) as OnlineStore, wrapper);
}
