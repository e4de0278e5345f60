import { FeatureServiceInput } from "@/server/registry/schemas";
import type { FormErrors } from "../forms/form-errors";
import { type FormResult, parseForm } from "../forms/parse-form";
import { rowId, type TagRow, tagRowsFrom, tagsFromRows } from "../forms/rows";

/**
 * What the feature service form edits: views, each with all its features ("view:*", which follows
 * the view as it changes) or a chosen few. Sent as FeatureServiceInput's "view:feature" list.
 */
export interface ServiceViewRow {
  id: string;
  view: string;
  all: boolean;
  features: string[];
}

export interface ServiceFormState {
  name: string;
  description: string;
  owner: string;
  tags: TagRow[];
  views: ServiceViewRow[];
}

export type ServiceValue = ReturnType<typeof FeatureServiceInput.parse>;

export const newServiceViewRow = (view = ""): ServiceViewRow => ({
  id: rowId(),
  view,
  all: true,
  features: [],
});

export function emptyServiceForm(): ServiceFormState {
  return { name: "", description: "", owner: "", tags: [], views: [newServiceViewRow()] };
}

/** "view:feature" references grouped into rows, one per view in first-seen order. */
export function serviceRowsFrom(refs: readonly string[]): ServiceViewRow[] {
  const rows: ServiceViewRow[] = [];
  for (const ref of refs) {
    const i = ref.indexOf(":");
    const view = ref.slice(0, i);
    const feature = ref.slice(i + 1);
    let row = rows.find((r) => r.view === view);
    if (!row) {
      row = { id: rowId(), view, all: false, features: [] };
      rows.push(row);
    }
    if (feature === "*") row.all = true;
    else if (!row.features.includes(feature)) row.features.push(feature);
  }
  return rows.map((r) => (r.all ? { ...r, features: [] } : r));
}

export function serviceFormFrom(s: {
  name: string;
  description: string;
  owner: string;
  tags: Record<string, string>;
  features: string[];
}): ServiceFormState {
  return {
    name: s.name,
    description: s.description,
    owner: s.owner,
    tags: tagRowsFrom(s.tags),
    views: serviceRowsFrom(s.features),
  };
}

/** The rows as references, in row order: "view:*" or one "view:feature" per chosen feature. */
export function serviceRefs(rows: readonly ServiceViewRow[]): string[] {
  return rows
    .filter((r) => r.view)
    .flatMap((r) => (r.all ? [`${r.view}:*`] : r.features.map((f) => `${r.view}:${f}`)));
}

/** The form path of the row holding reference number `index` ("features.3" -> "views.1.features"). */
export function rowPathOfRef(rows: readonly ServiceViewRow[], path: string): string {
  const m = /^features\.(\d+)$/.exec(path);
  if (!m) return path;
  let n = Number(m[1]);
  for (const [i, r] of rows.entries()) {
    if (!r.view) continue;
    const count = r.all ? 1 : r.features.length;
    if (n < count) return `views.${i}.features`;
    n -= count;
  }
  return "views";
}

/** Checks the rows (a view each, no view twice, some features) and then FeatureServiceInput. */
export function validateServiceForm(
  s: ServiceFormState,
  taken: readonly string[] = [],
): FormResult<ServiceValue> {
  const errors: FormErrors = {};
  const tags = tagsFromRows(s.tags, errors);
  const name = s.name.trim();
  if (name && taken.includes(name)) errors.name = `A feature service named "${name}" already exists`;
  const seen = new Set<string>();
  s.views.forEach((r, i) => {
    if (!r.view) errors[`views.${i}.view`] = "Choose a feature view";
    else if (seen.has(r.view)) errors[`views.${i}.view`] = `"${r.view}" is already in the list`;
    else if (!r.all && r.features.length === 0)
      errors[`views.${i}.features`] = "Choose at least one feature, or all of them";
    seen.add(r.view);
  });
  if (s.views.length === 0) errors.views = "Add at least one feature view";
  const result = parseForm(
    FeatureServiceInput,
    { name, description: s.description.trim(), owner: s.owner.trim(), tags, features: serviceRefs(s.views) },
    { tagRows: s.tags, errors, blank: { name: "Enter a name" } },
  );
  if (result.ok) return result;
  // Reference errors belong to the row that made them; the form's own messages win.
  const moved: FormErrors = {};
  const rowErrors = Object.keys(errors).some((k) => k.startsWith("views"));
  for (const [k, v] of Object.entries(result.errors)) {
    // "features" as a whole (none at all) is what a row error already says better.
    if (k === "features" && rowErrors) continue;
    const at = k === "features" ? "views" : rowPathOfRef(s.views, k);
    moved[at] ??= k === "features" ? "Add at least one feature view" : v;
  }
  return { ok: false, errors: { ...moved, ...errors } };
}
