import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "../audit/record";
import { inTransaction } from "../core/context";
import { NotFoundError } from "../core/errors";
import { featureViewSchedules } from "../db/schema";
import { defineOperation } from "../operations/define";
import { loadView } from "./rows";
import { ScheduleTarget } from "./schemas";
import { auditShape } from "./set-schedule";

/** Removes a view's schedule, audited as schedule.delete; its past ticks stay as history. */
export const deleteScheduleOp = defineOperation({
  name: "schedules.delete",
  summary: "Remove a feature view's schedule (its past ticks are kept).",
  kind: "mutation",
  writesRegistry: false,
  access: "jobs.run",
  input: ScheduleTarget,
  output: z.object({ deleted: z.boolean() }),
  doors: ["trpc", "rest", "cli"],
  run: async ({ ctx, input, project: p }) =>
    inTransaction(ctx, async (tx) => {
      const view = await loadView(tx, p, input.featureView);
      const [gone] = await tx.db
        .delete(featureViewSchedules)
        .where(eq(featureViewSchedules.featureViewId, view.id))
        .returning();
      if (!gone)
        throw new NotFoundError(`featureView: feature view "${view.name}" has no schedule`, "featureView");
      await recordAudit(tx, {
        project: { id: p.id, name: p.name },
        action: "schedule.delete",
        objectType: "feature_view",
        objectName: view.name,
        before: auditShape(gone),
      });
      return { deleted: true };
    }),
});
export const deleteSchedule = deleteScheduleOp.call;
