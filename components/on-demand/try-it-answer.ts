/**
 * The Try it panel's reading of a get-online-features answer (full feature names), pure: which
 * column is a key, a computed feature or an input, and the null reasons row by row.
 */

export interface TryColumn {
  /** The answer's column name. */
  name: string;
  /** What the header shows: a computed feature's own name, an input as view.feature. */
  label: string;
  type?: string;
  role?: "key" | "feature";
}

export function answerColumns(
  names: readonly string[],
  view: { name: string; spec: { fields: readonly { name: string; dtype: string }[] } },
  keyCount: number,
): TryColumn[] {
  const own = `${view.name}__`;
  return names.map((name, i) => {
    if (i < keyCount) return { name, label: name, role: "key" };
    if (name.startsWith(own)) {
      const field = name.slice(own.length);
      const dtype = view.spec.fields.find((f) => f.name === field)?.dtype;
      return { name, label: field, type: dtype ? `computed · ${dtype}` : "computed", role: "feature" };
    }
    const at = name.indexOf("__");
    return { name, label: at < 0 ? name : `${name.slice(0, at)}.${name.slice(at + 2)}`, type: "input" };
  });
}

export interface TryReason {
  feature: string;
  row: number;
  /** The row's keys, "driver_id 1001". */
  key: string;
  reason: string;
}

/** Every (feature, row) the answer says failed, with the reason, in column then row order. */
export function reasonsOf(
  answer: { metadata: { reasons?: Record<string, (string | null)[]> }; results: { values: unknown[] }[] },
  columns: readonly TryColumn[],
  keyCount: number,
): TryReason[] {
  const out: TryReason[] = [];
  const keyOf = (row: number) =>
    columns
      .slice(0, keyCount)
      .map((c, i) => `${c.name} ${String(answer.results[i]?.values[row])}`)
      .join(", ");
  for (const c of columns) {
    const reasons = answer.metadata.reasons?.[c.name];
    reasons?.forEach((reason, row) => {
      if (reason) out.push({ feature: c.label, row, key: keyOf(row), reason });
    });
  }
  return out;
}
