import "server-only";
import type pg from "pg";
import { offlineError } from "./errors";
import { type BuiltQuery, latestPerEntityQuery, type SourceDef, type ViewColumns } from "./source-query";
import { admitSource } from "./space";
import {
  type Dialect,
  distributionQuery,
  distributionRow,
  type FeaturePlan,
  numbers,
  type StatsFeature,
  type SummaryRow,
  summaryQuery,
  type ViewStatisticsRead,
} from "./stats-query";
import type { OfflineStore } from "./store";

/**
 * Runs the statistics statements of stats-query.ts where a materialization would read (ADR 0033):
 * a table or query source as the project's reader, in one READ ONLY REPEATABLE READ transaction
 * under the scan timeout, after admitSource (the sandbox again); a file source in the project's
 * sandboxed DuckDB under the scan timeout. Both statements see the same snapshot (the transaction,
 * or the one DuckDB session over one file). Errors come back mapped as a scan's are.
 */

/**
 * Reads the statistics of `features` over the latest row per entity in [start, end]; `plan` turns
 * the summary into each feature's distribution plan (bins from min and max, previous grids).
 */
export async function readViewStatistics(
  store: OfflineStore,
  project: string,
  source: SourceDef,
  view: ViewColumns,
  window: { start: Date; end: Date },
  opts: {
    features: readonly StatsFeature[];
    cutoff: Date | null;
    plan(summary: SummaryRow, dialect: Dialect): FeaturePlan[];
  },
): Promise<ViewStatisticsRead> {
  if (source.kind === "file") {
    const files = await import("./file-stats");
    return files.readFileViewStatistics(store, project, source, view, window, opts);
  }
  const admitted = await admitSource(store, project, source);
  const latest = latestPerEntityQuery(admitted, view, window);
  try {
    return await store.transaction(project, "scan", async (client) => {
      const summary = numbers(
        (await run(client, summaryQuery("postgres", latest, opts.features, opts.cutoff))).rows[0],
      );
      const q = distributionQuery(latest, opts.features, opts.plan(summary, "postgres"));
      const rows = q ? (await run(client, q)).rows : [];
      return { dialect: "postgres" as const, summary, distribution: rows.map(distributionRow) };
    });
  } catch (e) {
    throw offlineError(e, "", store.timeouts.scanMs);
  }
}

/** One statement through the extended protocol (one statement only, as source-reader.ts runs). */
function run(client: pg.PoolClient, q: BuiltQuery): Promise<pg.QueryResult> {
  const config: pg.QueryConfig & { queryMode: "extended" } = {
    text: q.text,
    values: q.values,
    queryMode: "extended",
  };
  return client.query(config);
}
