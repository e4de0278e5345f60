import "server-only";
import { listInstanceAuditOp } from "../../audit/instance";
import { createProjectOp } from "../../registry/projects";
import { doorsOf } from "../doors";
import { router } from "../init";

/**
 * Instance-level doors, for instance administrators (docs/adr/0014-instance-administrators.md):
 * every audit entry (sign-ins, accounts and administrators, and every project's), and a new
 * project, owned by the administrator who creates it.
 */
export const adminRouter = router(doorsOf({ audit: listInstanceAuditOp, createProject: createProjectOp }));
