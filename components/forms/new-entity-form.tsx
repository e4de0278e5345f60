"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { EntityInput, JOIN_KEY_TYPES, type JoinKeyType } from "@/server/registry/schemas";
import { useTRPC } from "@/trpc/client";
import {
  blankAsRequired,
  type FormErrors,
  issuesToErrors,
  sentence,
  serverError,
  withoutError,
} from "./form-errors";
import { Subform } from "./subform";

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
  const [form, setForm] = useState({
    name: "",
    joinKey: "",
    valueType: "int64" as JoinKeyType,
    description: "",
  });
  const [errors, setErrors] = useState<FormErrors>({});
  const [banner, setBanner] = useState<string | null>(null);

  const set = (key: keyof typeof form, value: string) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => withoutError(e, key));
  };
  const error = (key: string) => (errors[key] ? sentence(errors[key]) : undefined);

  function submit() {
    setBanner(null);
    const parsed = EntityInput.safeParse({
      ...form,
      name: form.name.trim(),
      joinKey: form.joinKey.trim(),
      description: form.description.trim(),
    });
    if (!parsed.success) {
      setErrors(blankAsRequired(issuesToErrors(parsed.error.issues), form));
      return;
    }
    setErrors({});
    create.mutate(
      { project, ...parsed.data },
      {
        onSuccess: async (entity) => {
          await queryClient.invalidateQueries({ queryKey: trpc.entities.list.queryKey({ project }) });
          onCreated(entity.name);
        },
        onError: (e) => {
          const { field, message } = serverError(e);
          if (field && FIELDS.has(field)) setErrors({ [field]: message });
          else setBanner(message);
        },
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
