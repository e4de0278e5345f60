import "server-only";
import type { Ctx } from "../core/context";
import { pgCode } from "../core/pg-error";
import { offlineError } from "../offline/errors";
import { quoteIdent } from "../offline/source-query";
import type { OfflineStore } from "../offline/store";
import type { EventSink } from "./consumer";
import type { StreamViewOutput } from "./schemas";
import type { StreamEvent } from "./spec";

/**
 * The offline copy of a stream view's events (docs/adr/0037): every event serving counts is
 * appended, as the project's offline writer role (never the administrator), to
 * `<own schema>.stream_<view>` in the project's offline space:
 *
 *   event_id text, entity_key text, <join keys> text, event_timestamp timestamptz,
 *   fields jsonb (the event as it came), appended_at timestamptz
 *   PRIMARY KEY (entity_key, event_id)
 *
 * Idempotent: a redelivered batch hits the primary key and ON CONFLICT DO NOTHING keeps the first
 * copy, so the table holds exactly the events the tiles counted, once each (training sets read
 * what serving saw). The table is created on first use.
 */
export function offlineTableName(view: string): string {
  return `stream_${view}`.slice(0, 63);
}

export interface OfflineAppendTarget {
  project: string;
  view: string;
  joinKeys: string[];
}

/** Tables this process created or found; one dropped since fails an insert once and is made again on the retry. */
const created = new Set<string>();

/** Appends events (one statement per batch), creating the table first when needed; returns rows inserted. */
export async function appendEventsOffline(
  offline: OfflineStore,
  target: OfflineAppendTarget,
  events: readonly StreamEvent[],
) {
  if (events.length === 0) return 0;
  const space = await offline.space(target.project);
  const schema = space.own[0];
  if (!schema) throw new Error(`project "${target.project}" has no offline schema of its own`);
  const table = `${quoteIdent(schema)}.${quoteIdent(offlineTableName(target.view))}`;
  const writeMs = offline.timeouts.writeMs;
  const keys = target.joinKeys.map(quoteIdent);
  const ddl = [
    "event_id text NOT NULL",
    "entity_key text NOT NULL",
    ...keys.map((k) => `${k} text`),
    "event_timestamp timestamptz NOT NULL",
    "fields jsonb NOT NULL",
    "appended_at timestamptz NOT NULL DEFAULT now()",
    "PRIMARY KEY (entity_key, event_id)",
  ];
  const columns = ["event_id", "entity_key", ...keys, "event_timestamp", "fields"];
  const params: unknown[] = [
    events.map((e) => e.id),
    events.map((e) => e.entityKey),
    ...target.joinKeys.map((k) => events.map((e) => e.values[k] ?? null)),
    events.map((e) => new Date(e.tsMs).toISOString()),
    events.map((e) => JSON.stringify(e.values)),
  ];
  const types = ["text[]", "text[]", ...keys.map(() => "text[]"), "timestamptz[]", "jsonb[]"];
  try {
    const inserted = await offline.transaction(target.project, "write", async (client) => {
      // two workers' first batches race on CREATE TABLE IF NOT EXISTS (pg_type's unique index
      // refuses the loser): one at a time per table, then a no-op for the rest
      if (!created.has(`${offline.database}/${table}`)) {
        await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [table]);
        await client.query(`CREATE TABLE IF NOT EXISTS ${table} (${ddl.join(", ")})`);
      }
      const res = await client.query(
        `INSERT INTO ${table} (${columns.join(", ")}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}`).join(", ")}) ON CONFLICT DO NOTHING`,
        params,
      );
      return res.rowCount ?? 0;
    });
    created.add(`${offline.database}/${table}`);
    return inserted;
  } catch (e) {
    if (pgCode(e) === "42P01") created.delete(`${offline.database}/${table}`);
    throw offlineError(e, `offline append of stream view ${target.view}`, writeMs);
  }
}

/** The stream worker's sink of one view. */
export function offlineSinkFor(ctxFor: () => Ctx, view: StreamViewOutput & { project: string }): EventSink {
  const target = { project: view.project, view: view.name, joinKeys: view.joinKeys };
  return async (events) => {
    await appendEventsOffline(ctxFor().offline, target, events);
  };
}
