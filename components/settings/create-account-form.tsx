"use client";

import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { MIN_PASSWORD } from "@/components/auth/setup-validation";
import { sentence, serverError } from "@/components/forms/form-errors";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { useTRPC } from "@/trpc/client";
import { ROLE_HINTS, ROLES, type Role } from "./roles";

export interface CreatedAccount {
  name: string;
  email: string;
  role: Role;
}

/**
 * Sign-up is closed: an owner makes the account here, with a temporary password they hand over,
 * and it joins this project with the chosen role (one transaction, audited).
 */
export function CreateAccountForm({
  project,
  onCreated,
  onCancel,
}: {
  project: string;
  onCreated: (account: CreatedAccount) => Promise<void>;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const create = useMutation(trpc.access.createUser.mutationOptions());
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [tooShort, setTooShort] = useState(false);
  const failure = create.error ? serverError(create.error) : null;
  const errorOf = (field: string) => {
    const text =
      failure && (failure.field === field || failure.issues?.[field])
        ? (failure.issues?.[field] ?? failure.message)
        : null;
    return text ? sentence(text) : null;
  };
  const passwordError = tooShort ? `Use at least ${MIN_PASSWORD} characters` : errorOf("password");
  const shown = ["name", "email", "password"].some((f) => errorOf(f));
  const edited = () => create.reset();

  function submit(e: FormEvent) {
    e.preventDefault();
    if (password.length < MIN_PASSWORD) return setTooShort(true);
    create.mutate(
      { project, name: name.trim(), email: email.trim(), password, role },
      { onSuccess: (user) => onCreated({ name: user.name, email: user.email, role }) },
    );
  }

  return (
    <form
      onSubmit={submit}
      aria-label="Create an account"
      className="mb-4 rounded-lg border border-zinc-200 bg-zinc-50/60 p-4"
      noValidate
    >
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <Field label="Name" required error={errorOf("name")}>
          <Input
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              edited();
            }}
            autoComplete="off"
            autoFocus
            required
          />
        </Field>
        <Field label="Email" required error={errorOf("email")}>
          <Input
            type="email"
            value={email}
            onChange={(e) => {
              setEmail(e.target.value);
              edited();
            }}
            placeholder="ada@example.com"
            autoComplete="off"
            required
          />
        </Field>
        <Field
          label="Temporary password"
          required
          error={passwordError}
          hint={`At least ${MIN_PASSWORD} characters; hand it over yourself`}
        >
          <Input
            type="text"
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
              setTooShort(false);
              edited();
            }}
            autoComplete="new-password"
            spellCheck={false}
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
      </div>
      {failure && !shown && <p className="mt-3 text-sm text-red-600">{sentence(failure.message)}</p>}
      <div className="mt-4 flex items-center gap-2">
        <Button
          type="submit"
          variant="primary"
          disabled={create.isPending || !name.trim() || !email.trim() || !password}
        >
          {create.isPending ? "Creating…" : "Create account"}
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
