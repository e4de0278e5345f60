import "server-only";
import { and, eq } from "drizzle-orm";
import { authorize } from "../auth/authorize";
import type { Ctx } from "../core/context";
import { NotFoundError } from "../core/errors";
import { parseInput } from "../core/parse-input";
import { materializationRuns } from "../db/schema";
import { type Run, selectRuns } from "./run-row";
import { GetRunInput } from "./schemas";

export async function getRun({ ctx, input }: { ctx: Ctx; input: GetRunInput }): Promise<Run> {
  const { project, runId } = parseInput(GetRunInput, input);
  const p = await authorize(ctx, project, "definitions.read");
  const [run] = await selectRuns(ctx.db)
    .where(and(eq(materializationRuns.projectId, p.id), eq(materializationRuns.id, runId)))
    .limit(1);
  if (!run)
    throw new NotFoundError(`runId: materialization run ${runId} not found in project "${project}"`, "runId");
  return run;
}
