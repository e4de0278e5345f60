"use client";

import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { serverError } from "@/components/forms/form-errors";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { useTRPC } from "@/trpc/client";
import { ROLE_HINTS, ROLES, type Role } from "./roles";

/** Name, role and optional expiry of a new key; hands the plaintext key up once created. */
export function CreateKeyForm({
  project,
  onCreated,
  onCancel,
}: {
  project: string;
  onCreated: (name: string, key: string) => Promise<void>;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const create = useMutation(trpc.access.keys.create.mutationOptions());
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("consumer");
  const [expires, setExpires] = useState("");
  const failure = create.error ? serverError(create.error) : null;
  const errorOf = (field: string) =>
    failure && (failure.field === field || failure.issues?.[field])
      ? (failure.issues?.[field] ?? failure.message)
      : null;
  const shown = ["name", "expiresAt"].some((f) => errorOf(f));

  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate(
      // A date means the start of that day, UTC, like the CLI's --expires.
      { project, name: name.trim(), role, expiresAt: expires ? new Date(`${expires}T00:00:00Z`) : undefined },
      { onSuccess: ({ key, apiKey }) => onCreated(apiKey.name, key) },
    );
  }

  return (
    <form
      onSubmit={submit}
      aria-label="Create an API key"
      className="mb-4 rounded-lg border border-zinc-200 bg-zinc-50/60 p-4"
    >
      <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
        <Field label="Name" required error={errorOf("name")} hint="What uses it, e.g. ranking-service">
          <Input
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              create.reset();
            }}
            autoComplete="off"
            autoFocus
            required
          />
        </Field>
        <Field label="Role" hint={ROLE_HINTS[role]}>
          <Select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Expires" error={errorOf("expiresAt")} hint="Optional; at the start of that day (UTC)">
          <Input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />
        </Field>
      </div>
      {failure && !shown && <p className="mt-3 text-sm text-red-600">{failure.message}</p>}
      <div className="mt-4 flex items-center gap-2">
        <Button type="submit" variant="primary" disabled={create.isPending || !name.trim()}>
          {create.isPending ? "Creating…" : "Create key"}
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
