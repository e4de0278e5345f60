"use client";

import { type FormEvent, useState } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { setUp } from "./auth-api";
import { FormAlert } from "./auth-frame";
import { type SetupErrors, validateSetup } from "./setup-validation";

/** Creates the owner; the server signs them in, and the app opens on the demo project. */
export function SetupForm() {
  const [errors, setErrors] = useState<SetupErrors>({});
  const [alert, setAlert] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const input = {
      name: String(data.get("name") ?? ""),
      email: String(data.get("email") ?? ""),
      password: String(data.get("password") ?? ""),
      confirm: String(data.get("confirm") ?? ""),
    };
    const found = validateSetup(input);
    setErrors(found);
    setAlert(null);
    if (Object.keys(found).length > 0) return;
    setPending(true);
    const result = await setUp({ name: input.name, email: input.email, password: input.password });
    if (result.ok) {
      window.location.assign("/");
      return;
    }
    setPending(false);
    if (result.status === 409) {
      // Someone else finished setup first: their account is the owner.
      setAlert(`${result.message}.`);
      return;
    }
    if (result.field === "name" || result.field === "email" || result.field === "password")
      setErrors({ [result.field]: result.message.replace(/^\w+: /, "") });
    else setAlert(result.status === 429 ? "Too many attempts, wait a minute" : result.message);
  }

  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
      <FormAlert message={alert} />
      <Field label="Your name" error={errors.name}>
        <Input name="name" autoComplete="name" required autoFocus />
      </Field>
      <Field label="Email" error={errors.email}>
        <Input name="email" type="email" autoComplete="username" required />
      </Field>
      <Field label="Password" error={errors.password} hint="At least 10 characters.">
        <Input name="password" type="password" autoComplete="new-password" required />
      </Field>
      <Field label="Confirm password" error={errors.confirm}>
        <Input name="confirm" type="password" autoComplete="new-password" required />
      </Field>
      <Button type="submit" variant="primary" disabled={pending} className="mt-2 w-full">
        {pending ? "Creating your account…" : "Create owner account"}
      </Button>
    </form>
  );
}
