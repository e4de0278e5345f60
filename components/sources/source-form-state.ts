import type { DataSourceKind, FileFormat } from "@/server/core/vocabulary";
import { DataSourceInput } from "@/server/registry/schemas";
import type { FormErrors } from "../forms/form-errors";
import { type FormResult, parseForm } from "../forms/parse-form";
import { type TagRow, tagRowsFrom, tagsFromRows } from "../forms/rows";

/** What the source form edits (page and inline), and its translation to DataSourceInput. */
export interface SourceFormState {
  name: string;
  kind: DataSourceKind;
  tableName: string;
  query: string;
  path: string;
  fileFormat: FileFormat;
  timestampField: string;
  createdTimestampField: string;
  description: string;
  owner: string;
  tags: TagRow[];
  /** Not edited by the form; kept so an edit does not drop it. */
  fieldMapping: Record<string, string>;
}

export type SourceValue = ReturnType<typeof DataSourceInput.parse>;

export function emptySourceForm(): SourceFormState {
  return {
    name: "",
    kind: "table",
    tableName: "",
    query: "",
    path: "",
    fileFormat: "parquet",
    timestampField: "event_timestamp",
    createdTimestampField: "",
    description: "",
    owner: "",
    tags: [],
    fieldMapping: {},
  };
}

/** The form prefilled from a stored source, for editing. */
export function sourceFormFrom(s: {
  name: string;
  kind: DataSourceKind;
  tableName: string | null;
  query: string | null;
  path: string | null;
  fileFormat: FileFormat | null;
  timestampField: string;
  createdTimestampField: string | null;
  description: string;
  owner: string;
  tags: Record<string, string>;
  fieldMapping: Record<string, string>;
}): SourceFormState {
  return {
    name: s.name,
    kind: s.kind,
    tableName: s.tableName ?? "",
    query: s.query ?? "",
    path: s.path ?? "",
    fileFormat: s.fileFormat ?? "parquet",
    timestampField: s.timestampField,
    createdTimestampField: s.createdTimestampField ?? "",
    description: s.description,
    owner: s.owner,
    tags: tagRowsFrom(s.tags),
    fieldMapping: { ...s.fieldMapping },
  };
}

/** The format a file's extension names, if any. */
export function formatOf(path: string): FileFormat | undefined {
  const ext = path.trim().toLowerCase().split(".").pop();
  return ext === "csv" || ext === "parquet" ? ext : undefined;
}

/**
 * Checks the form with DataSourceInput: only the inputs of the chosen kind are sent. `taken` are
 * names the source may not have, checked only when creating.
 */
export function validateSourceForm(
  s: SourceFormState,
  taken: readonly string[] = [],
): FormResult<SourceValue> {
  const errors: FormErrors = {};
  const tags = tagsFromRows(s.tags, errors);
  const name = s.name.trim();
  if (name && taken.includes(name)) errors.name = `A source named "${name}" already exists`;
  const created = s.createdTimestampField.trim();
  return parseForm(
    DataSourceInput,
    {
      name,
      kind: s.kind,
      ...(s.kind === "table"
        ? { tableName: s.tableName.trim() || undefined }
        : s.kind === "query"
          ? { query: s.query.trim() || undefined }
          : { path: s.path.trim() || undefined, fileFormat: s.fileFormat }),
      timestampField: s.timestampField.trim(),
      ...(created ? { createdTimestampField: created } : {}),
      fieldMapping: s.fieldMapping,
      description: s.description.trim(),
      owner: s.owner.trim(),
      tags,
    },
    {
      tagRows: s.tags,
      errors,
      blank: {
        name: "Enter a name",
        tableName: "Enter a table name",
        query: "Enter a query",
        path: "Enter the file's path",
        timestampField: "Enter the timestamp column",
      },
    },
  );
}

/** Where a source's rows are, in words: its table, "SQL query", or its file. */
export function whereOfSource(s: {
  kind: DataSourceKind;
  tableName?: string | null;
  path?: string | null;
  fileFormat?: FileFormat | null;
}): string {
  if (s.kind === "table") return s.tableName ?? "";
  if (s.kind === "file") return `${s.fileFormat === "csv" ? "CSV" : "Parquet"} file ${s.path ?? ""}`;
  return "SQL query";
}
