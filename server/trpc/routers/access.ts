import "server-only";
import { createApiKeyOp, listApiKeysOp, revokeApiKeyOp } from "../../auth/api-keys";
import { addMemberOp, changeRoleOp, listMembersOp, removeMemberOp } from "../../auth/members";
import { createAccountInProjectOp } from "../../auth/users";
import { doorsOf } from "../doors";
import { router } from "../init";

/**
 * Project settings: API keys and members, for owners. The outputs (server/auth/outputs.ts) list
 * their fields, so nothing else (a key's hash) can ever leave through them.
 */

/** The plaintext key is in create's answer and nowhere else, ever. */
const keysRouter = router(doorsOf({ list: listApiKeysOp, create: createApiKeyOp, revoke: revokeApiKeyOp }));

const membersRouter = router(
  doorsOf({ list: listMembersOp, add: addMemberOp, changeRole: changeRoleOp, remove: removeMemberOp }),
);

export const accessRouter = router({
  keys: keysRouter,
  members: membersRouter,
  /** An owner makes an account with a temporary password and adds it to the project. */
  ...doorsOf({ createUser: createAccountInProjectOp }),
});
