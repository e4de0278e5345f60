import type { z } from "zod";
import { type FormErrors, issuesToErrors } from "./form-errors";
import { type TagRow, tagRowPath } from "./rows";

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FormErrors };

/**
 * Checks what a form built with the schema the server uses (from server/registry/schemas.ts).
 * Errors are keyed by the schema's paths, tags by row ("tags.1.key"); `blank` gives the message
 * of a required text input left empty ("Enter a name" reads better than the pattern it fails);
 * `errors` are the form's own, found before the schema ran, and win over the schema's.
 */
export function parseForm<S extends z.ZodType>(
  schema: S,
  input: z.input<S>,
  opts: { tagRows?: TagRow[]; errors?: FormErrors; blank?: Record<string, string> } = {},
): FormResult<z.output<S>> {
  const own = opts.errors ?? {};
  const parsed = schema.safeParse(input);
  if (parsed.success && Object.keys(own).length === 0) return { ok: true, value: parsed.data };
  const errors: FormErrors = parsed.success
    ? {}
    : issuesToErrors(parsed.error.issues, (path, code) => tagRowPath(path, code, opts.tagRows ?? []));
  for (const [key, message] of Object.entries(opts.blank ?? {})) {
    const value = (input as Record<string, unknown>)[key];
    if (errors[key] && (value === undefined || value === "")) errors[key] = message;
  }
  return { ok: false, errors: { ...errors, ...own } };
}
