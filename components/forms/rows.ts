import type { FormErrors } from "./form-errors";

/**
 * Rows a form edits as a list (tags, fields): each has a stable id for React keys. Tags are a
 * record in the schemas and rows in the forms; these translate between the two.
 */

export interface TagRow {
  id: string;
  key: string;
  value: string;
}

let lastId = 0;
/** A React key for a new row; never rendered into the DOM, so server and client may differ. */
export function rowId(): string {
  lastId += 1;
  return `row${lastId}`;
}

export const newTagRow = (): TagRow => ({ id: rowId(), key: "", value: "" });

/** A stored tags record as rows, in its order. */
export function tagRowsFrom(tags: Record<string, string>): TagRow[] {
  return Object.entries(tags).map(([key, value]) => ({ id: rowId(), key, value }));
}

/** Rows to a record: blank rows are dropped, a value without a key and a repeated key are errors. */
export function tagsFromRows(rows: TagRow[], errors: FormErrors): Record<string, string> {
  const tags: Record<string, string> = {};
  rows.forEach((row, i) => {
    const key = row.key.trim();
    if (key === "" && row.value.trim() === "") return;
    if (key === "") errors[`tags.${i}.key`] = "Enter a key";
    else if (Object.hasOwn(tags, key)) errors[`tags.${i}.key`] = `Duplicate key "${key}"`;
    else tags[key] = row.value.trim();
  });
  return tags;
}

/** A schema path into the tags record ("tags.team") as the path of the row holding that key. */
export function tagRowPath(path: string[], code: string, rows: TagRow[]): string | undefined {
  if (path[0] !== "tags" || path.length < 2) return undefined;
  const index = rows.findIndex((r) => r.key.trim() === path[1]);
  if (index < 0) return "tags";
  return `tags.${index}.${code === "invalid_key" ? "key" : "value"}`;
}
