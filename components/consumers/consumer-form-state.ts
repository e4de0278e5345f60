import type { ConsumerKind } from "@/server/core/vocabulary";
import { ConsumerInput } from "@/server/registry/schemas";
import type { FormErrors } from "../forms/form-errors";
import { type FormResult, parseForm } from "../forms/parse-form";
import { type TagRow, tagRowsFrom, tagsFromRows } from "../forms/rows";

/** What the consumer form edits: a model or a service, and the feature services it reads. */
export interface ConsumerFormState {
  name: string;
  kind: ConsumerKind;
  featureServices: string[];
  description: string;
  owner: string;
  tags: TagRow[];
  /** Not edited by the form (the dataset builder links them); kept so an edit does not drop them. */
  datasets: string[];
}

export type ConsumerValue = ReturnType<typeof ConsumerInput.parse>;

export function emptyConsumerForm(): ConsumerFormState {
  return { name: "", kind: "model", featureServices: [], description: "", owner: "", tags: [], datasets: [] };
}

export function consumerFormFrom(c: {
  name: string;
  kind: ConsumerKind;
  featureServices: string[];
  datasets: string[];
  description: string;
  owner: string;
  tags: Record<string, string>;
}): ConsumerFormState {
  return {
    name: c.name,
    kind: c.kind,
    featureServices: [...c.featureServices],
    datasets: [...c.datasets],
    description: c.description,
    owner: c.owner,
    tags: tagRowsFrom(c.tags),
  };
}

export function validateConsumerForm(
  s: ConsumerFormState,
  taken: readonly string[] = [],
): FormResult<ConsumerValue> {
  const errors: FormErrors = {};
  const tags = tagsFromRows(s.tags, errors);
  const name = s.name.trim();
  if (name && taken.includes(name)) errors.name = `A consumer named "${name}" already exists`;
  return parseForm(
    ConsumerInput,
    {
      name,
      kind: s.kind,
      featureServices: s.featureServices,
      datasets: s.datasets,
      description: s.description.trim(),
      owner: s.owner.trim(),
      tags,
    },
    { tagRows: s.tags, errors, blank: { name: "Enter a name" } },
  );
}
