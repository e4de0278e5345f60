import "server-only";
import { getMeOp } from "../../admin/me";
import { listMySignInsOp } from "../../audit/sign-ins";
import { doorsOf } from "../doors";
import { router } from "../init";

/** The signed-in person's own account: who they are and their recent sign-ins (the account menu). */
export const accountRouter = router(doorsOf({ me: getMeOp, signIns: listMySignInsOp }));
