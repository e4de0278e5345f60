import "server-only";

export { CancelRunInput, cancelRun, cancelRunOp } from "./cancel-run";
export { getRun, getRunOp } from "./get-run";
export { getRunLog, getRunLogOp } from "./get-run-log";
export { listRuns, listRunsOp } from "./list-runs";
export {
  createBoss,
  createJobQueue,
  MATERIALIZE_JOB,
  MAX_ATTEMPTS,
  type MaterializationWorker,
  startMaterializationWorker,
} from "./queue";
export { RetryRunInput, retryRun, retryRunOp } from "./retry-run";
export { runMaterialization } from "./run-materialization";
export { isTerminal, type Run } from "./run-row";
export * from "./schemas";
export {
  startIncrementalMaterialization,
  startIncrementalMaterializationOp,
} from "./start-incremental-materialization";
export { startMaterialization, startMaterializationOp } from "./start-materialization";
export { type RunSweeper, startRunSweeper, sweepRuns } from "./sweep-runs";
export { waitForRuns } from "./wait-for-runs";
