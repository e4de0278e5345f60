import "server-only";
import { z } from "zod";
import { ROLES } from "./roles";

/**
 * What the access operations answer (./api-keys.ts, ./members.ts, ./users.ts). They list their
 * fields, so nothing else (a key's hash, a password) can ever leave through a door.
 */

export const ApiKey = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  prefix: z.string(),
  createdBy: z.string(),
  createdAt: z.date(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
});

/** The plaintext key is in this answer and nowhere else, ever. */
export const CreatedApiKey = z.object({ key: z.string(), apiKey: ApiKey });

export const Member = z.object({
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  createdAt: z.date(),
});

export const CreatedUser = z.object({ id: z.string(), name: z.string(), email: z.string() });

export const CreateUserResult = z.object({
  user: CreatedUser,
  /** True when this was the first user, now owner of every project. */
  firstOwner: z.boolean(),
});
