"use client";

import { useState } from "react";
import type { z } from "zod";
import {
  blankAsRequired,
  type FormErrors,
  issuesToErrors,
  sentence,
  serverError,
  withoutError,
} from "./form-errors";

/**
 * State of a small create form: its values, inline errors per field, and a banner for errors
 * that name no field. `validate` runs the shared zod schema; `onServerError` puts a server
 * error under its field when the form has one.
 */
export function useSubform<F extends Record<string, string>>(initial: F, fields: ReadonlySet<string>) {
  const [form, setForm] = useState(initial);
  const [errors, setErrors] = useState<FormErrors>({});
  const [banner, setBanner] = useState<string | null>(null);

  return {
    form,
    banner,
    set(key: keyof F & string, value: string) {
      setForm((f) => ({ ...f, [key]: value }));
      setErrors((e) => withoutError(e, key));
    },
    error: (key: string) => (errors[key] ? sentence(errors[key]) : undefined),
    /** The parsed value, or undefined after showing the issues inline. */
    validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> | undefined {
      setBanner(null);
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        setErrors(blankAsRequired(issuesToErrors(parsed.error.issues), form));
        return undefined;
      }
      setErrors({});
      return parsed.data;
    },
    onServerError(e: unknown) {
      const { field, message } = serverError(e);
      if (field && fields.has(field)) setErrors({ [field]: message });
      else setBanner(message);
    },
  };
}
