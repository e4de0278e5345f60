import type { z } from "zod";
import { FeatureViewSpec, type ValueType } from "@/server/registry/schemas";
import type { EntityValue } from "../entities/entity-form-state";
import { type FormErrors, issuesToErrors } from "../forms/form-errors";
import { newTagRow, rowId, type TagRow, tagRowPath, tagRowsFrom, tagsFromRows } from "../forms/rows";
import type { SourceValue } from "../sources/source-form-state";
import { type DurationValue, fromSeconds, toSeconds } from "./duration";

export { newTagRow, rowId, type TagRow };

/**
 * What the feature view form edits, and its translation to and from FeatureViewSpec. The form
 * holds strings (as typed) and rows with stable ids; the spec is built and checked with the same
 * zod schema the server uses only on submit.
 */

export interface FieldRow {
  id: string;
  name: string;
  dtype: ValueType;
  description: string;
  /** Kept from the loaded spec when editing; the form does not edit per-field tags. */
  tags: Record<string, string>;
}

export interface ViewFormState {
  name: string;
  description: string;
  owner: string;
  tags: TagRow[];
  /** Entity names in join-key order. */
  entities: string[];
  source: string;
  ttl: DurationValue;
  sla: DurationValue;
  online: boolean;
  /** Not edited by the form; kept so an edit does not flip it. */
  offline: boolean;
  fields: FieldRow[];
  /**
   * Entities and a source typed inline in this form, not saved yet: they are created when the
   * view is saved (only those it still uses), so cancelling the view leaves nothing behind.
   */
  newEntities: EntityValue[];
  newSource: SourceValue | null;
}

export const newFieldRow = (): FieldRow => ({
  id: rowId(),
  name: "",
  dtype: "float64",
  description: "",
  tags: {},
});

export function emptyViewForm(): ViewFormState {
  return {
    name: "",
    description: "",
    owner: "",
    tags: [],
    entities: [],
    source: "",
    ttl: { amount: "1", unit: "days" },
    sla: { amount: "", unit: "hours" },
    online: true,
    offline: true,
    fields: [newFieldRow()],
    newEntities: [],
    newSource: null,
  };
}

/** The form prefilled from a stored spec, for editing. */
export function viewFormFromSpec(spec: FeatureViewSpec): ViewFormState {
  return {
    name: spec.name,
    description: spec.description,
    owner: spec.owner,
    tags: tagRowsFrom(spec.tags),
    entities: [...spec.entities],
    source: spec.source,
    ttl: fromSeconds(spec.ttlSeconds, "days"),
    sla:
      spec.freshnessSlaSeconds === null
        ? { amount: "", unit: "hours" }
        : fromSeconds(spec.freshnessSlaSeconds),
    online: spec.online,
    offline: spec.offline,
    fields: spec.fields.map((f) => ({ id: rowId(), ...f })),
    newEntities: [],
    newSource: null,
  };
}

export type ViewFormResult = { ok: true; spec: FeatureViewSpec } | { ok: false; errors: FormErrors };

/**
 * Builds the spec from the form and checks it with FeatureViewSpec. Error keys are the schema's
 * paths ("fields.2.name", "ttlSeconds"); tag errors are keyed by row ("tags.1.key") because the
 * form edits tags as rows, not as a record.
 */
export function validateViewForm(state: ViewFormState): ViewFormResult {
  const errors: FormErrors = {};
  const tags = tagsFromRows(state.tags, errors);

  const ttlSeconds = toSeconds(state.ttl);
  if (ttlSeconds === undefined) errors.ttlSeconds = "Enter a time to live (0 = no limit)";
  else if (Number.isNaN(ttlSeconds)) errors.ttlSeconds = "Enter a number";
  const slaSeconds = toSeconds(state.sla);
  if (slaSeconds !== undefined && Number.isNaN(slaSeconds)) errors.freshnessSlaSeconds = "Enter a number";

  const input: z.input<typeof FeatureViewSpec> = {
    name: state.name.trim(),
    description: state.description.trim(),
    owner: state.owner.trim(),
    tags,
    entities: state.entities,
    source: state.source,
    ttlSeconds: ttlSeconds ?? 0,
    freshnessSlaSeconds: slaSeconds ?? null,
    online: state.online,
    offline: state.offline,
    fields: state.fields.map((f) => ({
      name: f.name.trim(),
      dtype: f.dtype,
      description: f.description.trim(),
      tags: f.tags,
    })),
  };
  const parsed = FeatureViewSpec.safeParse(input);
  if (!parsed.success) {
    const zodErrors = issuesToErrors(parsed.error.issues, (path, code) => tagRowPath(path, code, state.tags));
    // The form's own messages (blank or non-numeric durations) are clearer than the schema's.
    Object.assign(errors, { ...zodErrors, ...errors });
    // An empty required name fails the name pattern; "required" says it better.
    if (errors.name && input.name === "") errors.name = "Enter a name";
    if (errors.source && input.source === "") errors.source = "Choose a source";
    input.fields?.forEach((f, i) => {
      if (errors[`fields.${i}.name`] && f.name === "") errors[`fields.${i}.name`] = "Enter a field name";
    });
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, spec: parsed.data };
}

/** The inline drafts the view still uses, in the order to create them: entities, then the source. */
export function draftsInUse(state: ViewFormState): { entities: EntityValue[]; source: SourceValue | null } {
  return {
    entities: state.entities.flatMap((name) => state.newEntities.filter((e) => e.name === name)),
    source: state.newSource && state.newSource.name === state.source ? state.newSource : null,
  };
}

/**
 * Drafts whose name is now taken by a stored object (someone else registered it meanwhile): the
 * view form says so under the picker instead of failing half-way through a save.
 */
export function draftClashes(
  state: ViewFormState,
  stored: { entities: readonly string[]; sources: readonly string[] },
): FormErrors {
  const errors: FormErrors = {};
  const { entities, source } = draftsInUse(state);
  for (const e of entities)
    if (stored.entities.includes(e.name))
      errors[`entities.${state.entities.indexOf(e.name)}`] =
        `an entity named "${e.name}" was registered meanwhile; remove the new one and choose it`;
  if (source && stored.sources.includes(source.name))
    errors.source = `a source named "${source.name}" was registered meanwhile; remove the new one and choose it`;
  return errors;
}
