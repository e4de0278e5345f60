import { EntityInput, type JoinKeyType } from "@/server/registry/schemas";
import type { FormErrors } from "../forms/form-errors";
import { type FormResult, parseForm } from "../forms/parse-form";
import { type TagRow, tagRowsFrom, tagsFromRows } from "../forms/rows";

/** What the entity form edits (page and inline), and its translation to EntityInput. */
export interface EntityFormState {
  name: string;
  joinKey: string;
  valueType: JoinKeyType;
  description: string;
  owner: string;
  tags: TagRow[];
}

export type EntityValue = ReturnType<typeof EntityInput.parse>;

export function emptyEntityForm(): EntityFormState {
  return { name: "", joinKey: "", valueType: "int64", description: "", owner: "", tags: [] };
}

/** The form prefilled from a stored entity, for editing. */
export function entityFormFrom(e: {
  name: string;
  joinKey: string;
  valueType: string;
  description: string;
  owner: string;
  tags: Record<string, string>;
}): EntityFormState {
  return {
    name: e.name,
    joinKey: e.joinKey,
    valueType: e.valueType as JoinKeyType,
    description: e.description,
    owner: e.owner,
    tags: tagRowsFrom(e.tags),
  };
}

/**
 * Checks the form with EntityInput. `taken` are names the entity may not have (the project's
 * entities and the drafts of the form it is typed in), checked only when creating.
 */
export function validateEntityForm(
  s: EntityFormState,
  taken: readonly string[] = [],
): FormResult<EntityValue> {
  const errors: FormErrors = {};
  const tags = tagsFromRows(s.tags, errors);
  const name = s.name.trim();
  if (name && taken.includes(name)) errors.name = `An entity named "${name}" already exists`;
  return parseForm(
    EntityInput,
    {
      name,
      joinKey: s.joinKey.trim(),
      valueType: s.valueType,
      description: s.description.trim(),
      owner: s.owner.trim(),
      tags,
    },
    { tagRows: s.tags, errors, blank: { name: "Enter a name", joinKey: "Enter a join key" } },
  );
}
