import { placeholderKeys } from "@/components/datasets/fetch-snippets";

/** An entity's join key as a lookup needs it. */
export interface JoinKey {
  name: string;
  valueType: string;
}

/**
 * Example key columns for a lookup, pure: the distinct key tuples of the first offline rows
 * (`n` at most) when there are any, else placeholders by type. `real` says which it is.
 */
export function exampleKeys(
  joinKeys: readonly JoinKey[],
  preview: { columns: readonly { name: string; role?: string }[]; rows: readonly unknown[][] } | undefined,
  n = 3,
): { entities: Record<string, unknown[]>; real: boolean } {
  const at = joinKeys.map(
    (k) => preview?.columns.findIndex((c) => c.name === k.name && c.role === "key") ?? -1,
  );
  if (preview && joinKeys.length > 0 && at.every((i) => i >= 0)) {
    const seen = new Set<string>();
    const tuples: unknown[][] = [];
    for (const row of preview.rows) {
      const tuple = at.map((i) => row[i]);
      if (tuple.some((v) => v === null || v === undefined)) continue;
      const id = JSON.stringify(tuple);
      if (seen.has(id)) continue;
      seen.add(id);
      tuples.push(tuple);
      if (tuples.length === n) break;
    }
    if (tuples.length > 0)
      return {
        entities: Object.fromEntries(
          joinKeys.map((k, j) => [k.name, tuples.map((t) => keyValue(t[j], k.valueType))]),
        ),
        real: true,
      };
  }
  return {
    entities: Object.fromEntries(joinKeys.map((k) => [k.name, placeholderKeys(k.valueType, 2)])),
    real: false,
  };
}

/** int64 keys come from the preview as text (exact); small ones are shown as numbers, as users write them. */
function keyValue(v: unknown, valueType: string): unknown {
  if ((valueType === "int64" || valueType === "int32") && typeof v === "string" && /^-?\d{1,15}$/.test(v))
    return Number(v);
  return v;
}

/** The text of one key column in the editor: values separated by commas. */
export function keysText(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ");
}

/**
 * The editor's text back into key columns: values split on commas and trimmed, blanks dropped;
 * integer keys stay text (the API accepts decimal strings exactly). An error names the problem.
 */
export function parseKeys(
  joinKeys: readonly JoinKey[],
  text: Record<string, string>,
): { entities: Record<string, string[]> } | { error: string } {
  const entities: Record<string, string[]> = {};
  let length: number | undefined;
  for (const k of joinKeys) {
    const values = (text[k.name] ?? "")
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v !== "");
    if (values.length === 0) return { error: `give at least one value for ${k.name}` };
    if (values.length > 20) return { error: `at most 20 keys in a preview (${k.name} has ${values.length})` };
    if ((k.valueType === "int64" || k.valueType === "int32") && values.some((v) => !/^-?\d+$/.test(v)))
      return { error: `${k.name} takes whole numbers` };
    if (length !== undefined && values.length !== length)
      return { error: "every key needs the same number of values (one per entity row)" };
    length = values.length;
    entities[k.name] = values;
  }
  return { entities };
}
