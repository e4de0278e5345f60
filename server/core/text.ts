import "server-only";
import { InvalidError } from "./errors";

/**
 * Postgres cannot store U+0000 in text or jsonb ("invalid byte sequence", "unsupported Unicode
 * escape sequence"), so a NUL that reached a query was a 500. Every input is refused here instead,
 * whatever its schema says: parseInput (every service), the tRPC procedures' middleware (before
 * their `.input()` schemas) and the REST body reader all call rejectNul, so a new schema or a new
 * door cannot forget it.
 */
const NUL = "\u0000";

export interface NulHit {
  /** Path to the string, or to the object whose key holds the NUL ("" for the input itself). */
  field: string;
  /** The key holding the NUL, when it is a key and not a value. */
  key?: string;
}

/** The first NUL in a string, array, plain object (values and keys), Map or Set; undefined if none. */
export function findNul(value: unknown): NulHit | undefined {
  const hit = walk(value, new WeakSet());
  if (!hit) return undefined;
  const field = hit.path.reverse().join(".");
  return hit.key === undefined ? { field } : { field, key: hit.key };
}

/**
 * The path to the first NUL, innermost segment first. Nothing is allocated on the way down: every
 * input of every call passes here, and a clean one (nearly all) should cost only the reads.
 */
function walk(value: unknown, seen: WeakSet<object>): { path: string[]; key?: string } | undefined {
  if (typeof value === "string") return value.includes(NUL) ? { path: [] } : undefined;
  if (typeof value !== "object" || value === null || seen.has(value)) return undefined;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== "object" && typeof item !== "string") continue;
      const hit = walk(item, seen);
      if (hit) return within(hit, String(i));
    }
    return undefined;
  }
  if (value instanceof Set) {
    let i = 0;
    for (const item of value) {
      const hit = walk(item, seen);
      if (hit) return within(hit, String(i));
      i++;
    }
    return undefined;
  }
  if (value instanceof Map) {
    for (const [key, item] of value) {
      if (typeof key === "string" && key.includes(NUL)) return { path: [], key };
      const hit = walk(item, seen);
      if (hit) return within(hit, String(key));
    }
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key.includes(NUL)) return { path: [], key };
    const hit = walk((value as Record<string, unknown>)[key], seen);
    if (hit) return within(hit, key);
  }
  return undefined;
}

function within(hit: { path: string[]; key?: string }, segment: string) {
  hit.path.push(segment);
  return hit;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What is wrong with an input holding a NUL character (message and field); undefined if none does. */
export function nulProblem(input: unknown): { message: string; field: string | undefined } | undefined {
  const hit = findNul(input);
  if (!hit) return undefined;
  const what = hit.key === undefined ? "" : `key ${JSON.stringify(hit.key)} `;
  return {
    message: `${hit.field || "input"}: ${what}must not contain the NUL character (\\u0000)`,
    field: hit.field || undefined,
  };
}

/** Throws an InvalidError (400) naming the field that holds a NUL character, if any does. */
export function rejectNul(input: unknown): void {
  const problem = nulProblem(input);
  if (problem) throw new InvalidError(problem.message, problem.field);
}
