import "server-only";
import { csvTextColumns, fileLatestPerEntityQuery, fileRelation, withTextColumns } from "./file-query";
import { fileError, openFile, withProjectDuckDb } from "./file-source";
import type { SourceDef, ViewColumns } from "./source-query";
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
 * Statistics of a file source: the same two statements as a Postgres source's, run by the project's
 * sandboxed DuckDB (file-source.ts) under the scan timeout, over fileLatestPerEntityQuery. Loaded
 * only when a file source is read (stats-reader.ts).
 */
export async function readFileViewStatistics(
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
  return withProjectDuckDb(store, project, "scan", async (conn) => {
    const file = await openFile(conn, store, project, source);
    const text = file.format === "csv" ? csvTextColumns(source, view, file.columns) : [];
    const latest = fileLatestPerEntityQuery(
      source,
      view,
      withTextColumns(file.columns, text),
      fileRelation(file.format, file.abs, text),
      { startUs: BigInt(window.start.getTime()) * 1000n, endUs: BigInt(window.end.getTime()) * 1000n },
    );
    try {
      const s = summaryQuery("duckdb", latest, opts.features, opts.cutoff);
      const summary = numbers((await conn.runAndReadAll(s.text, s.values as never)).getRowObjectsJS()[0]);
      const q = distributionQuery(latest, opts.features, opts.plan(summary, "duckdb"));
      const rows = q ? (await conn.runAndReadAll(q.text, q.values as never)).getRowObjectsJS() : [];
      return { dialect: "duckdb" as const, summary, distribution: rows.map(distributionRow) };
    } catch (e) {
      throw fileError(e, source);
    }
  });
}
