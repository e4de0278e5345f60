import "server-only";
import { randomUUID } from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import { z } from "zod";
import type { Actor } from "../core/context";
import { ConflictError } from "../core/errors";
import { parseInput } from "../core/parse-input";
import { pgCode } from "../core/pg-error";
import type { Db } from "../db/client";
import { accounts, users } from "../db/schema";

/** better-auth's limits: sign-in refuses passwords outside them (see server/auth/better-auth.ts). */
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 128;

export const NewUserInput = z.object({
  name: z.string().trim().min(1, "enter a name").max(200),
  email: z.string().trim().toLowerCase().pipe(z.email("enter an email address like ada@example.com")),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `use at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(MAX_PASSWORD_LENGTH, `use at most ${MAX_PASSWORD_LENGTH} characters`),
});
export type NewUserInput = z.input<typeof NewUserInput>;

export interface CreatedUser {
  id: string;
  name: string;
  email: string;
}

/** Validates like a service: the first issue becomes an InvalidError naming its field. */
export function parseNewUser(input: NewUserInput): z.output<typeof NewUserInput> {
  return parseInput(NewUserInput, input);
}

/**
 * Inserts the user and its password account the way better-auth's sign-up would (same scrypt
 * hash, provider "credential"), but in the caller's transaction: sign-up through better-auth is
 * disabled, so only the setup page and `quiver user create` make accounts.
 */
export async function insertUserWithPassword(
  db: Db,
  input: NewUserInput,
  /** admin: an instance administrator (the first owner, `quiver user create --admin`). */
  opts: { admin?: boolean } = {},
): Promise<CreatedUser> {
  const { name, email, password } = parseNewUser(input);
  const id = randomUUID();
  const hash = await hashPassword(password);
  try {
    await db.insert(users).values({ id, name, email, isAdmin: opts.admin ?? false });
  } catch (e) {
    if (pgCode(e) === "23505") throw new ConflictError(`a user with email ${email} already exists`, "email");
    throw e;
  }
  await db
    .insert(accounts)
    .values({ id: randomUUID(), accountId: id, providerId: "credential", userId: id, password: hash });
  return { id, name, email };
}

export function userActor(u: CreatedUser): Actor {
  return { kind: "user", id: u.id, name: u.email };
}
