import "server-only";

export { CancelRunInput, cancelRun } from "./cancel-run";
export { getRun } from "./get-run";
export { listRuns } from "./list-runs";
export {
  createBoss,
  createJobQueue,
  MATERIALIZE_JOB,
  MAX_ATTEMPTS,
  type MaterializationWorker,
  startMaterializationWorker,
} from "./queue";
export { RetryRunInput, retryRun } from "./retry-run";
export { runMaterialization } from "./run-materialization";
export { isTerminal, type Run } from "./run-row";
export * from "./schemas";
export { startIncrementalMaterialization } from "./start-incremental-materialization";
export { startMaterialization } from "./start-materialization";
export { type RunSweeper, startRunSweeper, sweepRuns } from "./sweep-runs";
export { waitForRuns } from "./wait-for-runs";
