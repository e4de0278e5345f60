import "server-only";
import type { z } from "zod";
import { InvalidError } from "./errors";
import { rejectNul } from "./text";

/**
 * Parses service input, turning the first zod issue into an InvalidError that names the field.
 * A NUL character anywhere in the input is refused first, whatever the schema (./text.ts).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  rejectNul(input);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join(".") ?? "";
  const message = issue ? `${field || "input"}: ${issue.message}` : "invalid input";
  throw new InvalidError(message, field || undefined);
}
