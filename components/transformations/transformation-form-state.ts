import type { FormErrors } from "@/components/forms/form-errors";
import { type FormResult, parseForm } from "@/components/forms/parse-form";
import { type TagRow, tagRowsFrom, tagsFromRows } from "@/components/forms/rows";
import { TransformationSpec } from "@/server/transformations/schemas";

/** The transformation form's values (docs/adr/0035-batch-transformations.md), tags as rows. */
export interface TransformationFormState {
  name: string;
  sql: string;
  eventTimestampColumn: string;
  description: string;
  owner: string;
  tags: TagRow[];
}

/** The server paths the form renders an input for; any other error goes to the banner. */
export const TRANSFORMATION_FORM_PATHS =
  /^(name|sql|eventTimestampColumn|description|owner|tags(\.\d+\.(key|value))?)$/;

/** Output column types a transformation accepts as its event time (engine.ts's TIME_TYPES). */
export const EVENT_TIME_TYPES: readonly string[] = ["timestamp", "timestamptz", "date"];

export function emptyTransformationForm(): TransformationFormState {
  return { name: "", sql: "", eventTimestampColumn: "", description: "", owner: "", tags: [] };
}

export function transformationFormFrom(t: {
  name: string;
  sql: string;
  eventTimestampColumn: string;
  description: string;
  owner: string;
  tags: Record<string, string>;
}): TransformationFormState {
  return {
    name: t.name,
    sql: t.sql,
    eventTimestampColumn: t.eventTimestampColumn,
    description: t.description,
    owner: t.owner,
    tags: tagRowsFrom(t.tags),
  };
}

/**
 * Checks the form with the server's TransformationSpec. `taken` are names the new transformation
 * may not have (its output source takes the name, so any data source's name counts); checked only
 * when creating.
 */
export function validateTransformationForm(
  s: TransformationFormState,
  taken: readonly string[] = [],
): FormResult<TransformationSpec> {
  const errors: FormErrors = {};
  const tags = tagsFromRows(s.tags, errors);
  const name = s.name.trim();
  if (name && taken.includes(name))
    errors.name = `"${name}" is taken: a transformation's output source is named after it`;
  return parseForm(
    TransformationSpec,
    {
      name,
      sql: s.sql.trim(),
      eventTimestampColumn: s.eventTimestampColumn.trim(),
      description: s.description.trim(),
      owner: s.owner.trim(),
      tags,
    },
    {
      tagRows: s.tags,
      errors,
      blank: {
        name: "Enter a name",
        sql: "Enter the SELECT",
        eventTimestampColumn: "Choose the event-time column",
      },
    },
  );
}

/** The output columns that may be the event time, from a preview's inferred columns. */
export function eventTimeChoices(columns: readonly { name: string; columnType: string }[]): string[] {
  return columns.filter((c) => EVENT_TIME_TYPES.includes(c.columnType)).map((c) => c.name);
}

/**
 * Where in the editor's text a server message points. The server counts 1-based characters (code
 * points) of the SQL it was sent, which is the editor's text trimmed; CodeMirror counts UTF-16
 * units of the untrimmed text. Null when the message names no position.
 */
export function errorOffset(message: string, editorText: string): number | null {
  const match = /\(at position (\d+)\)|starts at position (\d+)/.exec(message);
  const raw = match?.[1] ?? match?.[2];
  if (raw === undefined) return null;
  const position = Number(raw);
  if (!Number.isSafeInteger(position) || position < 1) return null;
  const lead = editorText.length - editorText.trimStart().length;
  const sent = editorText.trim();
  let index = 0;
  let chars = 1;
  for (const ch of sent) {
    if (chars === position) break;
    index += ch.length;
    chars += 1;
  }
  return lead + Math.min(index, sent.length);
}

/** Line and column (1-based) of a UTF-16 offset, for the error text under the editor. */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  const lines = text.slice(0, offset).split("\n");
  return { line: lines.length, column: [...(lines.at(-1) ?? "")].length + 1 };
}

/** The completion schema of the SQL editor: each source with its columns (none when unknown). */
export function completionSchema(
  sources: readonly { name: string; columns?: readonly { name: string }[] | null }[],
): Record<string, string[]> {
  const schema: Record<string, string[]> = {};
  for (const s of sources) schema[s.name] = (s.columns ?? []).map((c) => c.name);
  return schema;
}
