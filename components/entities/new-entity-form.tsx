"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { EntityInput, JOIN_KEY_TYPES, type JoinKeyType } from "@/server/registry/schemas";
import { useTRPC } from "@/trpc/client";
import { Subform } from "../forms/subform";
import { useSubform } from "../forms/use-subform";

const FIELDS = new Set(["name", "joinKey", "valueType", "description"]);

/** Registers an entity from inside the feature view form; `onCreated` gets its name. */
export function NewEntityForm({
  project,
  onCreated,
  onCancel,
}: {
  project: string;
  onCreated: (name: string) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.entities.create.mutationOptions());
  const { form, banner, set, error, validate, onServerError } = useSubform(
    { name: "", joinKey: "", valueType: "int64" as JoinKeyType, description: "" },
    FIELDS,
  );

  function submit() {
    const input = validate(EntityInput, {
      ...form,
      name: form.name.trim(),
      joinKey: form.joinKey.trim(),
      description: form.description.trim(),
    });
    if (!input) return;
    create.mutate(
      { project, ...input },
      {
        onSuccess: async (entity) => {
          await queryClient.invalidateQueries({ queryKey: trpc.entities.list.queryKey({ project }) });
          onCreated(entity.name);
        },
        onError: onServerError,
      },
    );
  }

  return (
    <Subform
      title="New entity"
      description="The thing the features describe; rows are looked up by its join key."
      submitLabel="Create entity"
      pending={create.isPending}
      error={banner}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <Field label="Name" required error={error("name")}>
          <Input
            value={form.name}
            onChange={(e) => set("name", e.target.value)}
            placeholder="driver"
            className="font-mono text-[13px]"
            autoComplete="off"
            spellCheck={false}
            autoFocus
          />
        </Field>
        <Field label="Join key" required error={error("joinKey")}>
          <Input
            value={form.joinKey}
            onChange={(e) => set("joinKey", e.target.value)}
            placeholder="driver_id"
            className="font-mono text-[13px]"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
        <Field label="Value type" required error={error("valueType")}>
          <Select
            value={form.valueType}
            onChange={(e) => set("valueType", e.target.value)}
            className="font-mono"
          >
            {JOIN_KEY_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <Field label="Description" error={error("description")}>
        <Input value={form.description} onChange={(e) => set("description", e.target.value)} />
      </Field>
    </Subform>
  );
}
