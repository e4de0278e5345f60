import "server-only";
import {
  deleteTransformationScheduleOp,
  getTransformationScheduleOp,
  listTransformationSchedulesOp,
  pauseTransformationScheduleOp,
  resumeTransformationScheduleOp,
  setTransformationScheduleOp,
} from "../../schedules";
import {
  createTransformationOp,
  deleteTransformationOp,
  diffTransformationOp,
  getTransformationOp,
  listTransformationsOp,
  listTransformationVersionsOp,
  previewTransformationOp,
  updateTransformationOp,
} from "../../transformations/registry";
import {
  backfillTransformationOp,
  cancelTransformationRunOp,
  getTransformationRunOp,
  listTransformationRunsOp,
  retryTransformationRunOp,
  runTransformationOp,
} from "../../transformations/runs";
import { doorsOf } from "../doors";
import { router } from "../init";

/** Batch SQL transformations (docs/adr/0035-batch-transformations.md): definitions, preview, runs. */
export const transformationsRouter = router(
  doorsOf({
    list: listTransformationsOp,
    get: getTransformationOp,
    diff: diffTransformationOp,
    versions: listTransformationVersionsOp,
    create: createTransformationOp,
    update: updateTransformationOp,
    delete: deleteTransformationOp,
    preview: previewTransformationOp,
    run: runTransformationOp,
    backfill: backfillTransformationOp,
    cancel: cancelTransformationRunOp,
    runs: listTransformationRunsOp,
    getRun: getTransformationRunOp,
    retry: retryTransformationRunOp,
    getSchedule: getTransformationScheduleOp,
    schedules: listTransformationSchedulesOp,
    setSchedule: setTransformationScheduleOp,
    pauseSchedule: pauseTransformationScheduleOp,
    resumeSchedule: resumeTransformationScheduleOp,
    deleteSchedule: deleteTransformationScheduleOp,
  }),
);
