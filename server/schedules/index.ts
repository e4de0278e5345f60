import "server-only";

export { deleteSchedule, deleteScheduleOp } from "./delete-schedule";
export { getSchedule, getScheduleOp, listSchedules, listSchedulesOp } from "./get-schedule";
export { pauseSchedule, pauseScheduleOp, resumeSchedule, resumeScheduleOp } from "./pause-schedule";
export { fireDueSchedules, SCHEDULE_ACTOR, type Scheduler, startScheduler, type Tick } from "./scheduler";
export * from "./schemas";
export { setSchedule, setScheduleOp } from "./set-schedule";
export {
  deleteTransformationScheduleOp,
  getTransformationScheduleOp,
  listTransformationSchedulesOp,
  pauseTransformationScheduleOp,
  resumeTransformationScheduleOp,
  setTransformationScheduleOp,
  transformationNextRuns,
} from "./transformation-schedules";
