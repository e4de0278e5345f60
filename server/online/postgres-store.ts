import "server-only";
import type pg from "pg";
import { chunks, latestPerKey } from "./latest-per-key";
import type { OnlineRecord, OnlineRow, OnlineStore, ReadRequest, WriteResult } from "./types";

/** Rows per INSERT: keeps one statement's document (and its lock set) bounded on huge batches. */
const WRITE_CHUNK = 5000;

/**
 * One statement per chunk; the WHERE on the conflict branch is the write rule, so the database
 * decides "never older" under the row lock. A refused row is neither inserted nor updated and so
 * is not in rowCount, which is how skipped rows are counted.
 *
 * The rows travel as one JSON document, `[[entity_key, values, event_ts], ...]`: each row's values
 * are encoded to JSON once, in the same JSON.stringify as the whole chunk, and Postgres parses the
 * document once, taking each row's values out as jsonb without a second parse. (A `jsonb[]`
 * parameter costs an escaped array literal around each row's JSON text and a parse per element;
 * bench/materialize.ts and docs/adr/0005-materialization.md have the measurements.) The elements
 * come out in array order, so rows are locked in the key order latestPerKey gave them.
 */
const UPSERT = `
insert into online_values (project, feature_view, entity_key, "values", event_ts)
select $1, $2, e ->> 0, e -> 1, (e ->> 2)::timestamptz
from jsonb_array_elements($3::jsonb) as e
on conflict (project, feature_view, entity_key) do update
  set "values" = excluded."values", event_ts = excluded.event_ts, written_at = now()
  where online_values.event_ts <= excluded.event_ts`;

/** One chunk as the UPSERT's document: a Date becomes its ISO string through toJSON. */
function encodeChunk(rows: readonly OnlineRow[]): string {
  return JSON.stringify(rows.map((r) => [r.entityKey, r.values, r.eventTs]));
}

/**
 * Every (request, key) pair in one query; the join hits the primary key. Each row's values are cut
 * down to the request's features in SQL so unrequested features never leave the database.
 */
const READ = `
select r.idx::int as idx, o.entity_key, o.event_ts,
  coalesce(
    (select jsonb_object_agg(f.name, o."values" -> f.name)
     from jsonb_array_elements_text(r.req -> 'features') as f(name)
     where o."values" ? f.name),
    '{}'::jsonb) as vals
from jsonb_array_elements($2::jsonb) with ordinality as r(req, idx)
join online_values o
  on o.project = $1 and o.feature_view = r.req ->> 'view' and o.entity_key = any($3::text[])`;

interface ReadRow {
  idx: number;
  entity_key: string;
  event_ts: Date;
  vals: Record<string, unknown>;
}

/**
 * The online store in the `online_values` table (the embedded default). The pool belongs to the
 * caller (it is shared with the registry), so close() leaves it open.
 */
export function createPostgresOnlineStore(pool: pg.Pool): OnlineStore {
  return {
    kind: "postgres",

    async write(project, featureView, rows): Promise<WriteResult> {
      if (rows.length === 0) return { written: 0, skipped: 0 };
      // encode everything first: a row that cannot be stored fails the call before anything is sent
      const documents = [...chunks(latestPerKey(rows), WRITE_CHUNK)].map(encodeChunk);
      let written = 0;
      for (const doc of documents) {
        const res = await pool.query(UPSERT, [project, featureView, doc]);
        written += res.rowCount ?? 0;
      }
      return { written, skipped: rows.length - written };
    },

    async read(project, requests: ReadRequest[], entityKeys) {
      if (requests.length === 0 || entityKeys.length === 0) return requests.map(() => []);
      const reqJson = JSON.stringify(requests.map((r) => ({ view: r.featureView, features: r.features })));
      const { rows } = await pool.query<ReadRow>(READ, [project, reqJson, [...new Set(entityKeys)]]);
      // ordinality is 1-based
      const found = requests.map(() => new Map<string, OnlineRecord>());
      for (const r of rows) found[r.idx - 1]?.set(r.entity_key, { values: r.vals, eventTs: r.event_ts });
      return found.map((byKey) => entityKeys.map((k) => byKey.get(k) ?? null));
    },

    async deleteView(project, featureView) {
      await pool.query("delete from online_values where project = $1 and feature_view = $2", [
        project,
        featureView,
      ]);
    },

    async ping() {
      try {
        await pool.query("select 1");
      } catch (e) {
        throw new Error(`Postgres online store unreachable: ${(e as Error).message}`, { cause: e });
      }
    },

    async close() {},
  };
}
