import "server-only";
import { eq } from "drizzle-orm";
import type { z } from "zod";
import { users } from "../db/schema";
import { defineOperation, NoInput } from "../operations/define";
import * as out from "./outputs";

export type Me = NonNullable<z.output<typeof out.Me>>;

/** The signed-in person (the account menu); null for API keys and Quiver's own actors. */
export const getMeOp = defineOperation({
  name: "account.me",
  summary: "The signed-in person: name, email and whether they are an instance administrator.",
  kind: "query",
  access: "signed_in",
  input: NoInput,
  output: out.Me,
  run: async ({ ctx }): Promise<Me | null> => {
    const { actor } = ctx;
    if (actor.kind !== "user") return null;
    const [row] = await ctx.db
      .select({ id: users.id, name: users.name, email: users.email, isAdmin: users.isAdmin })
      .from(users)
      .where(eq(users.id, actor.id))
      .limit(1);
    return row ?? null;
  },
});
export const getMe = getMeOp.call;
