/**
 * The deprecation state a registry object may carry (deprecatedAt, deprecationNote, replacedBy).
 * Read defensively: the get outputs gain these fields in another change, and objects without them
 * are simply not deprecated.
 */
export interface Deprecation {
  at: Date;
  note: string | null;
  replacedBy: string | null;
}

export function deprecationOf(object: unknown): Deprecation | null {
  if (typeof object !== "object" || object === null) return null;
  const o = object as { deprecatedAt?: unknown; deprecationNote?: unknown; replacedBy?: unknown };
  if (o.deprecatedAt === null || o.deprecatedAt === undefined) return null;
  const at = o.deprecatedAt instanceof Date ? o.deprecatedAt : new Date(String(o.deprecatedAt));
  if (Number.isNaN(at.getTime())) return null;
  return {
    at,
    note: typeof o.deprecationNote === "string" && o.deprecationNote ? o.deprecationNote : null,
    replacedBy: typeof o.replacedBy === "string" && o.replacedBy ? o.replacedBy : null,
  };
}
