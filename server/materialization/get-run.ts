import "server-only";
import { and, eq } from "drizzle-orm";
import { NotFoundError } from "../core/errors";
import { materializationRuns } from "../db/schema";
import { defineOperation } from "../operations/define";
import * as out from "./outputs";
import { type Run, selectRuns } from "./run-row";
import { GetRunInput } from "./schemas";

export const getRunOp = defineOperation({
  name: "jobs.get",
  summary: "One materialization run by id.",
  kind: "query",
  access: "definitions.read",
  input: GetRunInput,
  output: out.Run,
  run: async ({ ctx, input: { project, runId }, project: p }): Promise<Run> => {
    const [run] = await selectRuns(ctx.db)
      .where(and(eq(materializationRuns.projectId, p.id), eq(materializationRuns.id, runId)))
      .limit(1);
    if (!run)
      throw new NotFoundError(
        `runId: materialization run ${runId} not found in project "${project}"`,
        "runId",
      );
    return run;
  },
});
export const getRun = getRunOp.call;
