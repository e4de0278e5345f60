import "server-only";
import { z } from "zod";
import { GetFreshnessInput, getFreshness } from "../../freshness/get-freshness";
import {
  CancelRunInput,
  cancelRun,
  GetRunInput,
  getRun,
  ListRunsInput,
  listRuns,
  RetryRunInput,
  retryRun,
  StartIncrementalMaterializationInput,
  StartMaterializationInput,
  startIncrementalMaterialization,
  startMaterialization,
} from "../../materialization";
import {
  FeatureConsumersInput,
  getFeatureConsumers,
  getLineage,
  getNeighborhood,
  LineageInput,
  NeighborhoodInput,
} from "../../registry/lineage";
import { procedure, router } from "../init";
import * as out from "./operation-outputs";

export const lineageRouter = router({
  graph: procedure
    .meta({ action: "definitions.read" })
    .input(LineageInput)
    .output(out.LineageGraph)
    .query(({ ctx, input }) => getLineage({ ctx: ctx.svc, input })),
  neighborhood: procedure
    .meta({ action: "definitions.read" })
    .input(NeighborhoodInput)
    .output(out.LineageGraph)
    .query(({ ctx, input }) => getNeighborhood({ ctx: ctx.svc, input })),
  featureConsumers: procedure
    .meta({ action: "definitions.read" })
    .input(FeatureConsumersInput)
    .output(out.FeatureConsumers)
    .query(({ ctx, input }) => getFeatureConsumers({ ctx: ctx.svc, input })),
});

export const jobsRouter = router({
  list: procedure
    .meta({ action: "definitions.read" })
    .input(ListRunsInput)
    .output(z.array(out.Run))
    .query(({ ctx, input }) => listRuns({ ctx: ctx.svc, input })),
  get: procedure
    .meta({ action: "definitions.read" })
    .input(GetRunInput)
    .output(out.Run)
    .query(({ ctx, input }) => getRun({ ctx: ctx.svc, input })),
  materialize: procedure
    .meta({ action: "jobs.run" })
    .input(StartMaterializationInput)
    .output(z.array(out.Run))
    .mutation(({ ctx, input }) => startMaterialization({ ctx: ctx.svc, input })),
  materializeIncremental: procedure
    .meta({ action: "jobs.run" })
    .input(StartIncrementalMaterializationInput)
    .output(z.array(out.Run))
    .mutation(({ ctx, input }) => startIncrementalMaterialization({ ctx: ctx.svc, input })),
  cancel: procedure
    .meta({ action: "jobs.run" })
    .input(CancelRunInput)
    .output(out.Run)
    .mutation(({ ctx, input }) => cancelRun({ ctx: ctx.svc, input })),
  retry: procedure
    .meta({ action: "jobs.run" })
    .input(RetryRunInput)
    .output(out.Run)
    .mutation(({ ctx, input }) => retryRun({ ctx: ctx.svc, input })),
});

export const freshnessRouter = router({
  list: procedure
    .meta({ action: "definitions.read" })
    .input(GetFreshnessInput)
    .output(z.array(out.ViewFreshness))
    .query(({ ctx, input }) => getFreshness({ ctx: ctx.svc, input })),
});
