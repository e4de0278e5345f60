import "server-only";
import { getOfflineSpaceOp, grantSharedSchemaOp, revokeSharedSchemaOp } from "../../registry/offline-space";
import { doorsOf } from "../doors";
import { router } from "../init";

/**
 * A project's offline space: its schemas, roles and shared schemas (docs/adr/0013-offline-isolation.md).
 * The owner lets the project read a schema the deployment offers for sharing, or stops it; audited.
 */
export const offlineRouter = router(
  doorsOf({ space: getOfflineSpaceOp, grantShared: grantSharedSchemaOp, revokeShared: revokeSharedSchemaOp }),
);
