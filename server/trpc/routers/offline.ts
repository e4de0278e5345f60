import "server-only";
import { z } from "zod";
import { Name } from "../../core/name";
import { getOfflineSpace, grantSharedSchema, OfflineSchemaInput, revokeSharedSchema } from "../../registry";
import { procedure, router } from "../init";

/** A project's offline space: its schemas, roles and shared schemas (docs/adr/0013-offline-isolation.md). */

const Space = z.object({ own: z.array(z.string()), shared: z.array(z.string()) });

export const offlineRouter = router({
  space: procedure
    .meta({ action: "definitions.read" })
    .input(z.object({ project: Name }))
    .output(
      Space.extend({
        shareable: z.array(z.string()),
        database: z.string(),
        roles: z.object({ reader: z.string(), writer: z.string() }),
      }),
    )
    .query(({ ctx, input }) => getOfflineSpace({ ctx: ctx.svc, input })),
  /** The owner lets the project read a schema the deployment offers for sharing; audited. */
  grantShared: procedure
    .meta({ action: "offline.manage" })
    .input(OfflineSchemaInput)
    .output(Space)
    .mutation(({ ctx, input }) => grantSharedSchema({ ctx: ctx.svc, input })),
  revokeShared: procedure
    .meta({ action: "offline.manage" })
    .input(OfflineSchemaInput)
    .output(Space)
    .mutation(({ ctx, input }) => revokeSharedSchema({ ctx: ctx.svc, input })),
});
