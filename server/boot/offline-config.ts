import "server-only";
import path from "node:path";
import { authSecret } from "../auth/secret";
import type { Db } from "../db/client";
import { env } from "../env";
import type { OfflineStoreConfig } from "../offline";
import { loadOfflineSpace } from "../registry/offline-space";
import { quiverHome } from "./paths";

/** The offline store's settings from env() (docs/adr/0013-offline-isolation.md). */
export function offlineStoreConfig(db: Db, adminUrl: string): OfflineStoreConfig {
  const e = env();
  return {
    adminUrl,
    secret: authSecret(),
    rolePrefix: e.QUIVER_OFFLINE_ROLE_PREFIX,
    connectionsPerProject: e.QUIVER_OFFLINE_CONNECTIONS,
    querySources: e.QUIVER_QUERY_SOURCES === "on",
    timeouts: {
      probeMs: e.QUIVER_OFFLINE_PROBE_TIMEOUT_MS,
      scanMs: e.QUIVER_OFFLINE_SCAN_TIMEOUT_MS,
      writeMs: e.QUIVER_OFFLINE_WRITE_TIMEOUT_MS,
      lockMs: e.QUIVER_OFFLINE_LOCK_TIMEOUT_MS,
    },
    loadSpace: (project) => loadOfflineSpace(db, project),
    filesDir: e.QUIVER_FILES_DIR ?? path.join(quiverHome(), "files"),
  };
}
