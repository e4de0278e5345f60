import "server-only";
import { and, desc, eq, gte } from "drizzle-orm";
import { z } from "zod";
import { NotFoundError } from "../core/errors";
import { RUN_WINDOWS } from "../core/vocabulary";
import { featureViews, materializationRuns } from "../db/schema";
import { defineOperation } from "../operations/define";
import * as out from "./outputs";
import { type Run, selectRuns } from "./run-row";
import { ListRunsInput } from "./schemas";

/** A project's runs, newest first, optionally of one view, in one status, within a window. */
export const listRunsOp = defineOperation({
  name: "jobs.list",
  summary:
    "A project's materialization runs, newest first, optionally of one view, in one status, created within a window (1h, 24h, 7d, 30d).",
  kind: "query",
  access: "definitions.read",
  input: ListRunsInput,
  output: z.array(out.Run),
  run: async ({
    ctx,
    input: { project, featureView, status, within, limit },
    project: p,
  }): Promise<Run[]> => {
    const where = [eq(materializationRuns.projectId, p.id)];
    if (status) where.push(eq(materializationRuns.status, status));
    if (within)
      where.push(gte(materializationRuns.createdAt, new Date(Date.now() - RUN_WINDOWS[within] * 1000)));
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
