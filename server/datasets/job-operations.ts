import "server-only";
import { z } from "zod";
import { DATASET_STATUSES } from "../core/vocabulary";
import { defineOperation } from "../operations/define";
import { buildDataset } from "./build";

/** What the dataset queue's worker does with a job (worker.ts): Quiver itself only. */
export const buildDatasetOp = defineOperation({
  name: "datasets.build",
  summary: "Build one queued dataset: read its entity rows, join them point in time, store the rows.",
  kind: "mutation",
  writesRegistry: false,
  access: "trusted",
  input: z.object({
    datasetId: z.uuid(),
    /** Entity rows per slice. */
    sliceRows: z.number().int().positive().optional(),
    heartbeatTimeoutSeconds: z.number().int().positive().optional(),
  }),
  output: z.object({ id: z.string(), status: z.enum(DATASET_STATUSES), rowsDone: z.number() }),
  doors: ["job"],
  run: ({ ctx, input: { datasetId, ...opts } }) => buildDataset(ctx, datasetId, opts),
});
