/**
 * A value of an on-demand diff row as text: an output field as "float64 = <expression>", a request
 * field as its type, tags and names as they are.
 */
export function diffValueText(value: unknown): string {
  if (value === undefined) return "";
  if (value === null) return "null";
  if (typeof value === "string") return value === "" ? '""' : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && "dtype" in value) {
    const f = value as { dtype: unknown; expression?: unknown };
    return typeof f.expression === "string" ? `${String(f.dtype)} = ${f.expression}` : String(f.dtype);
  }
  return JSON.stringify(value);
}
