import { z } from "zod";

/**
 * The name of every registry object and project: a Postgres identifier's shape, lowercase, so it
 * can name offline roles and schemas as is. Pure (no server-only): forms check names with it too.
 */
export const NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

export const Name = z
  .string()
  .regex(NAME_PATTERN, "must start with a lowercase letter and hold only a-z, 0-9 and _ (at most 63)");
