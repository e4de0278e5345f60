import "server-only";
import { z } from "zod";
import { getMe } from "../../admin/access";
import { ListMySignInsInput, listMySignIns } from "../../audit/sign-ins";
import { procedure, router } from "../init";

/** The signed-in person's own account: who they are and their recent sign-ins (the account menu). */
export const accountRouter = router({
  me: procedure
    .meta({ action: "signed_in" })
    .output(
      z.object({ id: z.string(), name: z.string(), email: z.string(), isAdmin: z.boolean() }).nullable(),
    )
    .query(({ ctx }) => getMe({ ctx: ctx.svc })),
  signIns: procedure
    .meta({ action: "signed_in" })
    .input(ListMySignInsInput)
    .output(
      z.array(
        z.object({
          id: z.number(),
          at: z.date(),
          outcome: z.enum(["success", "failed"]),
          ip: z.string().nullable(),
        }),
      ),
    )
    .query(({ ctx, input }) => listMySignIns({ ctx: ctx.svc, input })),
});
