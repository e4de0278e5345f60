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

/**
 * entityKey of many rows at once, without an object per row: `names` are the join keys, `columns`
 * their values, one array each in the same order; row i's key is entityKey of its values. Built
 * as text from each name's JSON, computed once (the answer is byte for byte entityKey's).
 */
export function entityKeysOfColumns(
  names: string[],
  columns: readonly (readonly (string | number | bigint)[])[],
  rows: number,
): string[] {
  const order = names.map((_, i) => i).sort((a, b) => compareNames(names[a] ?? "", names[b] ?? ""));
  const heads = order.map((i, k) => `${k === 0 ? "[[" : ",["}${JSON.stringify(names[i])},`);
  const out = new Array<string>(rows);
  for (let r = 0; r < rows; r++) {
    let key = "";
    for (let k = 0; k < order.length; k++)
      key += `${heads[k]}${JSON.stringify(String(columns[order[k] as number]?.[r] ?? ""))}]`;
    out[r] = order.length === 0 ? "[]" : `${key}]`;
  }
  return out;
}

/** Array.prototype.sort's default order (UTF-16 code units), which entityKey's sort() uses. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
