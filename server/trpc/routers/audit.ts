import "server-only";
import { listAuditLogOp } from "../../audit/list";
import { doorsOf } from "../doors";
import { router } from "../init";

export const auditRouter = router(doorsOf({ list: listAuditLogOp }));
