import "server-only";
import { and, desc, eq } from "drizzle-orm";
import { authorize } from "../auth/authorize";
import type { Ctx } from "../core/context";
import { NotFoundError } from "../core/errors";
import { parseInput } from "../core/parse-input";
import { featureViews, materializationRuns } from "../db/schema";
import { type Run, selectRuns } from "./run-row";
import { ListRunsInput } from "./schemas";

/** A project's runs, newest first, optionally of one view. */
export async function listRuns({ ctx, input }: { ctx: Ctx; input: ListRunsInput }): Promise<Run[]> {
  const { project, featureView, limit } = parseInput(ListRunsInput, input);
  const p = await authorize(ctx, project, "definitions.read");
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
}
