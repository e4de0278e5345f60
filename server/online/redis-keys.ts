import "server-only";
/**
 * The Redis key layout (docs/adr/0003-online-store-layout.md):
 *
 *   <prefix>q:<project>:<view>:{<entityKey>}
 *
 * One string per (project, view, entity key), encoded by redis-codec.ts (older deployments: one hash,
 * read and rewritten by the store; docs/adr/0024-online-value-encoding.md). The hash tag is the
 * entity key, so under Redis Cluster
 * every view of one entity lands in the same slot: a lookup of one entity across several views
 * goes to one node. Project and view names never hold `:`, `{` or `}` (registry names are
 * [a-z0-9_]), so the first `{` in a key always opens the entity key's tag. An entity key holding a
 * `}` gives a shorter tag, still a function of the entity key alone, so co-location holds.
 */

/**
 * The legacy layout's hash field holding the row's event time in microseconds since the epoch. Not
 * a valid feature name.
 */
export const TS_FIELD = "_ts";

const SEPARATORS = /[:{}]/;

export function checkPrefix(prefix: string): void {
  if (/[{}]/.test(prefix)) throw new Error(`Redis key prefix ${JSON.stringify(prefix)} must not hold { or }`);
}

export function checkName(what: string, name: string): void {
  if (name === "" || SEPARATORS.test(name))
    throw new Error(`online store ${what} ${JSON.stringify(name)} must be non-empty without : { }`);
}

export function rowKey(prefix: string, project: string, view: string, entityKey: string): string {
  return `${prefix}q:${project}:${view}:{${entityKey}}`;
}

/** A SCAN MATCH pattern for every key of one view of one project. */
export function viewPattern(prefix: string, project: string, view: string): string {
  return `${globEscape(`${prefix}q:${project}:${view}:{`)}*`;
}

/** A SCAN MATCH pattern for every row key under a prefix (every project and view). */
export function rowPattern(prefix: string): string {
  return `${globEscape(`${prefix}q:`)}*`;
}

/**
 * Where a feature list's names are stored once (JSON array), by fingerprint. Outside `q:`, so no
 * row pattern matches it.
 */
export function featureListKey(prefix: string, fpHex: string): string {
  return `${prefix}qf:${fpHex}`;
}

/**
 * Present (value "2") once no row under the prefix is in the legacy hash layout: set by the
 * migration after a complete pass, or at first contact with a Redis that holds no key at all.
 * Readers then fetch many rows with one MGET instead of a GET each.
 */
export function layoutKey(prefix: string): string {
  return `${prefix}qf:layout`;
}

function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** Event time as integer microseconds: exact in a Lua double until year 2255. */
export function tsMicros(d: Date): string {
  return String(d.getTime() * 1000);
}

export function fromMicros(s: string): Date {
  return new Date(Number(s) / 1000);
}
