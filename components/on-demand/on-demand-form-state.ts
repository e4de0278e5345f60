import type { ValueType } from "@/server/core/vocabulary";
import { OnDemandViewSpec, REQUEST_VARIABLE } from "@/server/on-demand/spec";
import type { FormErrors } from "../forms/form-errors";
import { type FormResult, parseForm } from "../forms/parse-form";
import { rowId, type TagRow, tagRowsFrom, tagsFromRows } from "../forms/rows";

/**
 * What the on-demand view form edits, pure: request fields and output fields as rows, and the
 * translation to OnDemandViewSpec. The spec's `inputs` are not typed by hand: they are the
 * `view.feature` references the expressions make to the project's feature views.
 */

export interface RequestFieldRow {
  id: string;
  name: string;
  dtype: ValueType;
}

export interface OutputFieldRow {
  id: string;
  name: string;
  dtype: ValueType;
  expression: string;
  description: string;
}

export interface OnDemandFormState {
  name: string;
  description: string;
  owner: string;
  tags: TagRow[];
  requestFields: RequestFieldRow[];
  fields: OutputFieldRow[];
}

/** A feature an expression may read: `view.feature`, with its type. */
export interface AvailableInput {
  view: string;
  feature: string;
  dtype: string;
}

export const newRequestFieldRow = (): RequestFieldRow => ({ id: rowId(), name: "", dtype: "float64" });
export const newOutputFieldRow = (): OutputFieldRow => ({
  id: rowId(),
  name: "",
  dtype: "float64",
  expression: "",
  description: "",
});

export function emptyOnDemandForm(): OnDemandFormState {
  return { name: "", description: "", owner: "", tags: [], requestFields: [], fields: [newOutputFieldRow()] };
}

/** The form prefilled from a stored version, for editing. */
export function onDemandFormFrom(spec: OnDemandViewSpec): OnDemandFormState {
  return {
    name: spec.name,
    description: spec.description,
    owner: spec.owner,
    tags: tagRowsFrom(spec.tags),
    requestFields: spec.requestFields.map((f) => ({ id: rowId(), ...f })),
    fields: spec.fields.map((f) => ({ id: rowId(), ...f })),
  };
}

/** A CEL identifier then `.` then another: the shape of `view.feature` and `request.field`. */
const MEMBER = /(?<![\w.])([a-z][a-z0-9_]{0,62})\s*\.\s*([a-z][a-z0-9_]{0,62})\b/g;

/** Text in CEL string literals, blanked so `"a.b"` inside quotes is not read as a reference. */
function withoutStrings(expression: string): string {
  return expression.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (s) => " ".repeat(s.length));
}

/**
 * The inputs ("view:feature") the expressions read, in first-use order: each `view.feature` that
 * names an available feature. Anything else (`request.x`, a typo) is left for the type-checker,
 * which names it on the expression.
 */
export function inputsOf(expressions: readonly string[], available: readonly AvailableInput[]): string[] {
  const known = new Set(available.map((a) => `${a.view}:${a.feature}`));
  const found: string[] = [];
  for (const e of expressions) {
    for (const m of withoutStrings(e).matchAll(MEMBER)) {
      const ref = `${m[1]}:${m[2]}`;
      if (m[1] !== REQUEST_VARIABLE && known.has(ref) && !found.includes(ref)) found.push(ref);
    }
  }
  return found;
}

/** `text` inserted into `value` in place of the selection [start, end), and where the caret goes. */
export function insertAt(
  value: string,
  start: number,
  end: number,
  text: string,
): { value: string; caret: number } {
  const s = Math.max(0, Math.min(start, value.length));
  const e = Math.max(s, Math.min(end, value.length));
  return { value: value.slice(0, s) + text + value.slice(e), caret: s + text.length };
}

/**
 * Checks the form with the server's OnDemandViewSpec: errors keyed by the spec's paths
 * ("fields.1.expression", "requestFields.0.name", "tags.2.key"). `taken` are names the view may
 * not have (only checked when creating).
 */
export function validateOnDemandForm(
  s: OnDemandFormState,
  available: readonly AvailableInput[],
  taken: readonly string[] = [],
): FormResult<OnDemandViewSpec> {
  const errors: FormErrors = {};
  const tags = tagsFromRows(s.tags, errors);
  const name = s.name.trim();
  if (name && taken.includes(name)) errors.name = `"${name}" is already taken by a view of this project`;
  const fields = s.fields.map((f) => ({
    name: f.name.trim(),
    dtype: f.dtype,
    expression: f.expression.trim(),
    description: f.description.trim(),
  }));
  fields.forEach((f, i) => {
    if (f.expression === "") errors[`fields.${i}.expression`] = "Enter an expression";
  });
  return parseForm(
    OnDemandViewSpec,
    {
      name,
      inputs: inputsOf(
        fields.map((f) => f.expression),
        available,
      ),
      requestFields: s.requestFields.map((f) => ({ name: f.name.trim(), dtype: f.dtype })),
      fields,
      description: s.description.trim(),
      owner: s.owner.trim(),
      tags,
    },
    { tagRows: s.tags, errors, blank: { name: "Enter a name" } },
  );
}
