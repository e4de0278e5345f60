import "server-only";
import { checkName } from "../online/redis-keys";

/**
 * Redis keys of the stream engine (docs/adr/0037-stream-aggregations.md), beside the online
 * store's `q:` rows (server/online/redis-keys.ts) under the same prefix:
 *
 *   <prefix>qs:<project>:<view>:{<entityKey>}            hash: the entity's tiles
 *   <prefix>qs:<project>:<view>:{<entityKey>}:e:<eventId> string: dedupe mark of one event
 *   <prefix>qs:<project>:<view>:state                    hash: watermark and counters of the view
 *
 * The hash tag is the entity key, as for online rows: an event's tiles and its dedupe mark share
 * a slot. The view's state hash does not (a single Redis only for now; see the ADR).
 */

export function tilesKey(prefix: string, project: string, view: string, entityKey: string): string {
  return `${prefix}qs:${project}:${view}:{${entityKey}}`;
}

export function dedupeKey(
  prefix: string,
  project: string,
  view: string,
  entityKey: string,
  eventId: string,
): string {
  return `${tilesKey(prefix, project, view, entityKey)}:e:${eventId}`;
}

export function stateKey(prefix: string, project: string, view: string): string {
  return `${prefix}qs:${project}:${view}:state`;
}

/** A SCAN MATCH pattern for every key of one stream view (tiles, marks and state). */
export function streamViewPattern(prefix: string, project: string, view: string): string {
  return `${`${prefix}qs:${project}:${view}:`.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
}

export function checkStreamNames(project: string, view: string): void {
  checkName("project", project);
  checkName("stream view", view);
}
