import type { FormErrors } from "@/components/forms/form-errors";
import { type DurationValue, toSeconds } from "@/components/views/duration";
import { NAME_PATTERN } from "@/server/core/name";
import type { DatasetEntitySource, DatasetStorage } from "@/server/core/vocabulary";
import type { CreateDatasetInput, EntitySourceInput } from "@/server/datasets/schemas";

/**
 * The dataset builder's state and its checks, pure. Error keys are the input paths the server
 * blames ("selection.features", "entitySource.sql"), so the form shows its own errors and the
 * server's at the same places.
 */

export type SelectionMode = "service" | "features";

/** What datasets.upload answered for the chosen file. */
export interface UploadedFile {
  path: string;
  fileName: string;
  format: "csv" | "parquet";
  rows: number;
  columns: string[];
}

export interface DatasetFormState {
  name: string;
  description: string;
  mode: SelectionMode;
  featureService: string;
  /** "view:feature" references, in the order picked. */
  features: string[];
  fullFeatureNames: boolean;
  source: DatasetEntitySource;
  upload: UploadedFile | null;
  sql: string;
  grid: { view: string; start: string; end: string; step: DurationValue };
  storage: DatasetStorage;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A Date as a datetime-local value read as UTC: "2026-11-20T06:00". */
export function toUtcInput(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A datetime-local value read as UTC, as the ISO instant the server takes; undefined when not a time. */
export function fromUtcInput(value: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(value.trim());
  if (!m) return undefined;
  const iso = `${m[1]}T${m[2]}${m[3] ?? ":00"}Z`;
  return Number.isNaN(new Date(iso).getTime()) ? undefined : iso;
}

/** A new form: the grid covers the last seven whole days (UTC), one time a day. */
export function emptyDatasetForm(now: Date = new Date()): DatasetFormState {
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const start = new Date(end.getTime() - 7 * 86_400_000);
  return {
    name: "",
    description: "",
    mode: "service",
    featureService: "",
    features: [],
    fullFeatureNames: false,
    source: "upload",
    upload: null,
    sql: "",
    grid: { view: "", start: toUtcInput(start), end: toUtcInput(end), step: { amount: "1", unit: "days" } },
    storage: "table",
  };
}

export type DraftInput = Pick<CreateDatasetInput, "selection" | "entitySource">;

type Checked<T> = { ok: true; value: T } | { ok: false; errors: FormErrors };

/** The selection and entity source for a preview (or a save); errors keyed by input path. */
export function checkDraft(state: DatasetFormState): Checked<DraftInput> {
  const errors: FormErrors = {};
  const selection: DraftInput["selection"] =
    state.mode === "service"
      ? { featureService: state.featureService, fullFeatureNames: state.fullFeatureNames }
      : { features: state.features, fullFeatureNames: state.fullFeatureNames };
  if (state.mode === "service" && !state.featureService)
    errors["selection.featureService"] = "Choose a feature service";
  if (state.mode === "features" && state.features.length === 0)
    errors["selection.features"] = "Pick at least one feature";

  let entitySource: EntitySourceInput | undefined;
  if (state.source === "upload") {
    if (!state.upload) errors["entitySource.path"] = "Upload a CSV or Parquet file of entity rows";
    else
      entitySource = {
        kind: "upload",
        path: state.upload.path,
        format: state.upload.format,
        fileName: state.upload.fileName,
      };
  } else if (state.source === "query") {
    if (!state.sql.trim()) errors["entitySource.sql"] = "Write a SELECT that returns the entity rows";
    else entitySource = { kind: "query", sql: state.sql };
  } else {
    const { view, start, end, step } = state.grid;
    const startIso = fromUtcInput(start);
    const endIso = fromUtcInput(end);
    const seconds = toSeconds(step);
    if (!view) errors["entitySource.view"] = "Choose the feature view whose entities make the grid";
    if (!startIso) errors["entitySource.start"] = "Enter a start time";
    if (!endIso) errors["entitySource.end"] = "Enter an end time";
    if (startIso && endIso && startIso > endIso) errors["entitySource.start"] = "The start is after the end";
    if (seconds === undefined) errors["entitySource.stepSeconds"] = "Enter a step";
    else if (!Number.isInteger(seconds) || seconds < 1)
      errors["entitySource.stepSeconds"] = "The step is a whole number of seconds, at least 1";
    if (view && startIso && endIso && seconds !== undefined && Number.isInteger(seconds) && seconds >= 1)
      entitySource = { kind: "grid", view, start: startIso, end: endIso, stepSeconds: seconds };
  }
  if (!entitySource || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { selection, entitySource } };
}

/** Everything "Save and build" sends, but the project. */
export function checkCreate(state: DatasetFormState): Checked<Omit<CreateDatasetInput, "project">> {
  const draft = checkDraft(state);
  const errors: FormErrors = draft.ok ? {} : { ...draft.errors };
  if (!state.name) errors.name = "Required";
  else if (!NAME_PATTERN.test(state.name))
    errors.name = "Lowercase letters, digits and _, starting with a letter (at most 63)";
  if (!draft.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: { ...draft.value, name: state.name, description: state.description, storage: state.storage },
  };
}

/** Where a server error's field shows in the form; null when it names nothing the form has. */
export function formErrorKey(field: string): string | null {
  const path = field.replace(/^input\./, "");
  if (path === "name" || path === "description" || path === "storage") return path;
  const [head = "", second = ""] = path.split(".");
  const inSelection = head === "selection" ? second : head;
  if (inSelection === "featureService" || inSelection === "feature_service")
    return "selection.featureService";
  if (inSelection === "features") return "selection.features";
  if (inSelection === "fullFeatureNames" || inSelection === "full_feature_names" || path === "selection")
    return "selection.fullFeatureNames";
  const inSource = head === "entitySource" ? second : head;
  if (inSource === "sql" || inSource === "view" || inSource === "start" || inSource === "end")
    return `entitySource.${inSource}`;
  if (inSource === "stepSeconds") return "entitySource.stepSeconds";
  if (inSource === "path" || inSource === "fileName" || inSource === "format") return "entitySource.path";
  // The rows the source gives (a missing join key, a bad event_timestamp) or the source as a whole.
  if (head === "entitySource" || head === "entities" || head === "event_timestamp") return "entitySource";
  return null;
}
