import "server-only";
import { and, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { NotFoundError } from "../core/errors";
import { featureViews, materializationRuns } from "../db/schema";
import { defineOperation } from "../operations/define";
import * as out from "./outputs";
import { type Run, selectRuns } from "./run-row";
import { ListRunsInput } from "./schemas";

/** A project's runs, newest first, optionally of one view. */
export const listRunsOp = defineOperation({
  name: "jobs.list",
  summary: "A project's materialization runs, newest first, optionally of one view.",
  kind: "query",
  access: "definitions.read",
  input: ListRunsInput,
  output: z.array(out.Run),
  run: async ({ ctx, input: { project, featureView, limit }, project: p }): Promise<Run[]> => {
    const where = [eq(materializationRuns.projectId, p.id)];
    if (featureView) {
      const [view] = await ctx.db
        .select({ id: featureViews.id })
        .from(featureViews)
        .where(and(eq(featureViews.projectId, p.id), eq(featureViews.name, featureView)))
        .limit(1);
      if (!view)
        throw new NotFoundError(
          `featureView: feature view "${featureView}" not found in project "${project}"`,
          "featureView",
        );
      where.push(eq(materializationRuns.featureViewId, view.id));
    }
    return selectRuns(ctx.db)
      .where(and(...where))
      .orderBy(desc(materializationRuns.createdAt), desc(materializationRuns.id))
      .limit(limit);
  },
});
export const listRuns = listRunsOp.call;
