import "server-only";
/**
 * The canonical key of one entity row: join keys sorted by name, values as strings, JSON-encoded
 * so that no value can forge a separator. `{driver_id: 1001}` and `{driver_id: "1001"}` give the
 * same key, which is what a caller sending int64 ids as strings expects.
 */
export function entityKey(joinKeyValues: Record<string, string | number | bigint>): string {
  const names = Object.keys(joinKeyValues).sort();
  return JSON.stringify(names.map((n) => [n, String(joinKeyValues[n])]));
}
