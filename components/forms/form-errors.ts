import { TRPCClientError } from "@trpc/client";
import { errorMessage } from "@/components/ui/error-state";
import { plainForbidden } from "./role-words";

/** Inline errors of a form, keyed by the input's path ("name", "fields.2.name", "entities.0"). */
export type FormErrors = Record<string, string>;

interface IssueLike {
  path: PropertyKey[];
  message: string;
  code?: string;
  issues?: { message: string }[];
}

/**
 * Zod issues as inline errors, the first message per path. `remap` may move a path elsewhere
 * (e.g. a record key to the row that edits it); undefined keeps the schema's path.
 */
export function issuesToErrors(
  issues: readonly IssueLike[],
  remap?: (path: string[], code: string) => string | undefined,
): FormErrors {
  const errors: FormErrors = {};
  for (const issue of issues) {
    const parts = issue.path.map(String);
    const key = remap?.(parts, issue.code ?? "") ?? (parts.join(".") || "form");
    // A bad record key reports "Invalid key in record"; the nested issue says what is wrong.
    const message =
      issue.code === "invalid_key" ? (issue.issues?.[0]?.message ?? issue.message) : issue.message;
    errors[key] ??= message;
  }
  return errors;
}

export interface ServerError {
  /** The input path the server blamed (data.field), with the procedure's wrapper removed. */
  field: string | null;
  message: string;
  code: string | null;
  /** Inline errors when the procedure's input validation refused the request (no data.field). */
  issues: FormErrors | null;
}

/**
 * What a failed mutation says about the form. Domain errors carry `data.field` ("fields.1.name",
 * "source", "entities.0"); their message starts with that path, which the inline text drops.
 * `prefix` is the part of the path outside the form, e.g. "spec." for featureViews.create.
 */
export function serverError(error: unknown, prefix = ""): ServerError {
  if (!(error instanceof TRPCClientError))
    return { field: null, message: errorMessage(error), code: null, issues: null };
  const code = typeof error.data?.code === "string" ? error.data.code : null;
  const raw = typeof error.data?.field === "string" ? error.data.field : null;
  const field = raw && prefix && raw.startsWith(prefix) ? raw.slice(prefix.length) : raw;
  let message = errorMessage(error);
  if (raw && message.startsWith(`${raw}: `)) message = message.slice(raw.length + 2);
  // A refusal by role reads in plain words, not the permission's internal name.
  if (code === "FORBIDDEN") message = plainForbidden(message) ?? message;
  const issues = !raw && code === "BAD_REQUEST" ? inputIssues(error.message, prefix) : null;
  return { field: field || null, message, code, issues };
}

/**
 * tRPC's own input validation (before the service runs) sends the zod issues as JSON in the
 * message; the form shows them inline like its own.
 */
function inputIssues(message: string, prefix: string): FormErrors | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  const head = prefix.split(".").filter(Boolean);
  const issues = parsed.flatMap((i: unknown) => {
    if (!i || typeof i !== "object") return [];
    const { path, message: text } = i as { path?: unknown; message?: unknown };
    if (!Array.isArray(path) || typeof text !== "string") return [];
    const inner = head.every((h, k) => String(path[k]) === h) ? path.slice(head.length) : path;
    return [{ path: inner as PropertyKey[], message: text }];
  });
  return issues.length > 0 ? issuesToErrors(issues) : null;
}

/** The message with its first letter capitalised, for inline display under an input. */
export function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** The errors without the one at `key` (the user just edited that input). */
export function withoutError(errors: FormErrors, key: string): FormErrors {
  if (!(key in errors)) return errors;
  const next = { ...errors };
  delete next[key];
  return next;
}

/** Errors of inputs left blank read "Required" instead of the pattern they fail. */
export function blankAsRequired(errors: FormErrors, values: Record<string, unknown>): FormErrors {
  const next = { ...errors };
  for (const key of Object.keys(next)) {
    const v = values[key];
    if (v === undefined || (typeof v === "string" && v.trim() === "")) next[key] = "Required";
  }
  return next;
}
