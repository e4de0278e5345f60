import "server-only";
import { getFreshnessOp } from "../../freshness/get-freshness";
import {
  cancelRunOp,
  getRunOp,
  listRunsOp,
  retryRunOp,
  startIncrementalMaterializationOp,
  startMaterializationOp,
} from "../../materialization";
import {
  getFeatureConsumersOp,
  getLineageOp,
  getLineageOverviewOp,
  getNeighborhoodOp,
  searchLineageOp,
} from "../../registry/lineage";
import {
  deleteScheduleOp,
  getScheduleOp,
  listSchedulesOp,
  pauseScheduleOp,
  resumeScheduleOp,
  setScheduleOp,
} from "../../schedules";
import { getOnlineFeaturesOp } from "../../serving";
import { doorsOf } from "../doors";
import { router } from "../init";

export const lineageRouter = router(
  doorsOf({
    graph: getLineageOp,
    neighborhood: getNeighborhoodOp,
    overview: getLineageOverviewOp,
    search: searchLineageOp,
    featureConsumers: getFeatureConsumersOp,
  }),
);

export const jobsRouter = router(
  doorsOf({
    list: listRunsOp,
    get: getRunOp,
    materialize: startMaterializationOp,
    materializeIncremental: startIncrementalMaterializationOp,
    cancel: cancelRunOp,
    retry: retryRunOp,
  }),
);

export const freshnessRouter = router(doorsOf({ list: getFreshnessOp }));

export const schedulesRouter = router(
  doorsOf({
    get: getScheduleOp,
    list: listSchedulesOp,
    set: setScheduleOp,
    pause: pauseScheduleOp,
    resume: resumeScheduleOp,
    delete: deleteScheduleOp,
  }),
);

/** Online lookups from the browser (the object pages' preview); scripts use the REST route. */
export const servingRouter = router(doorsOf({ getOnlineFeatures: getOnlineFeaturesOp }));
