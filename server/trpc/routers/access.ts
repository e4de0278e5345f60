import "server-only";
import { z } from "zod";
import {
  CreateApiKeyInput,
  createApiKey,
  ListApiKeysInput,
  listApiKeys,
  RevokeApiKeyInput,
  revokeApiKey,
} from "../../auth/api-keys";
import {
  AddMemberInput,
  addMember,
  ChangeRoleInput,
  changeRole,
  ListMembersInput,
  listMembers,
  RemoveMemberInput,
  removeMember,
} from "../../auth/members";
import { ROLES } from "../../auth/roles";
import { CreateAccountInput, createAccountInProject } from "../../auth/users";
import { procedure, router } from "../init";

/**
 * Project settings: API keys and members, for owners. The outputs list their fields, so nothing
 * else (a key's hash) can ever leave through them.
 */

const ApiKey = z.object({
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

const Member = z.object({
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  createdAt: z.date(),
});

const keysRouter = router({
  list: procedure
    .meta({ action: "keys.manage" })
    .input(ListApiKeysInput)
    .output(z.array(ApiKey))
    .query(({ ctx, input }) => listApiKeys({ ctx: ctx.svc, input })),
  /** The plaintext key is in this answer and nowhere else, ever. */
  create: procedure
    .meta({ action: "keys.manage" })
    .input(CreateApiKeyInput)
    .output(z.object({ key: z.string(), apiKey: ApiKey }))
    .mutation(({ ctx, input }) => createApiKey({ ctx: ctx.svc, input })),
  revoke: procedure
    .meta({ action: "keys.manage" })
    .input(RevokeApiKeyInput)
    .output(ApiKey)
    .mutation(({ ctx, input }) => revokeApiKey({ ctx: ctx.svc, input })),
});

const membersRouter = router({
  list: procedure
    .meta({ action: "members.manage" })
    .input(ListMembersInput)
    .output(z.array(Member))
    .query(({ ctx, input }) => listMembers({ ctx: ctx.svc, input })),
  add: procedure
    .meta({ action: "members.manage" })
    .input(AddMemberInput)
    .output(Member)
    .mutation(({ ctx, input }) => addMember({ ctx: ctx.svc, input })),
  changeRole: procedure
    .meta({ action: "members.manage" })
    .input(ChangeRoleInput)
    .output(Member)
    .mutation(({ ctx, input }) => changeRole({ ctx: ctx.svc, input })),
  remove: procedure
    .meta({ action: "members.manage" })
    .input(RemoveMemberInput)
    .mutation(({ ctx, input }) => removeMember({ ctx: ctx.svc, input })),
});

export const accessRouter = router({
  keys: keysRouter,
  members: membersRouter,
  /** An owner makes an account with a temporary password and adds it to the project. */
  createUser: procedure
    .meta({ action: "members.manage" })
    .input(CreateAccountInput)
    .output(z.object({ id: z.string(), name: z.string(), email: z.string() }))
    .mutation(({ ctx, input }) => createAccountInProject(ctx.svc, input)),
});
