import { randomUUID } from "node:crypto";
import { createApiKey } from "../../server/auth/api-keys";
import { addMember } from "../../server/auth/members";
import type { Ctx } from "../../server/core/context";
import { users } from "../../server/db/schema";

/** Matrix inputs of access.* (server/trpc/routers/access.ts); each call makes its own key or member. */
const P = "proj";

async function freshMember(trusted: Ctx): Promise<string> {
  const id = randomUUID();
  const email = `m_${id.slice(0, 8)}@example.com`;
  await trusted.db.insert(users).values({ id, name: email, email });
  await addMember({ ctx: trusted, input: { project: P, email, role: "viewer" } });
  return id;
}

export const ACCESS_MATRIX_INPUTS: Record<string, (trusted: Ctx) => Promise<unknown> | unknown> = {
  "access.keys.list": () => ({ project: P }),
  "access.keys.create": () => ({ project: P, name: `key_${randomUUID()}`, role: "viewer" }),
  "access.keys.revoke": async (trusted) => {
    const { apiKey } = await createApiKey({
      ctx: trusted,
      input: { project: P, name: `key_${randomUUID()}`, role: "viewer" },
    });
    return { project: P, id: apiKey.id };
  },
  "access.members.list": () => ({ project: P }),
  "access.members.add": async (trusted) => {
    const id = randomUUID();
    const email = `n_${id.slice(0, 8)}@example.com`;
    await trusted.db.insert(users).values({ id, name: email, email });
    return { project: P, email, role: "viewer" };
  },
  "access.members.changeRole": async (trusted) => ({
    project: P,
    userId: await freshMember(trusted),
    role: "editor",
  }),
  "access.members.remove": async (trusted) => ({ project: P, userId: await freshMember(trusted) }),
  "access.createUser": () => {
    const email = `u_${randomUUID().slice(0, 8)}@example.com`;
    return { project: P, email, name: email, password: "temporary-password-1", role: "viewer" };
  },
};
