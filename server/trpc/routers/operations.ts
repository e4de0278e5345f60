import "server-only";
import { engineFreshnessOp } from "../../freshness/engine-freshness";
import { getFreshnessOp } from "../../freshness/get-freshness";
import { lagHistoryOp } from "../../freshness/lag-history";
import {
  cancelRunOp,
  getRunLogOp,
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
import { getLineageColumnsOp } from "../../registry/lineage-columns";
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
    columns: getLineageColumnsOp,
  }),
);

export const jobsRouter = router(
  doorsOf({
    list: listRunsOp,
    get: getRunOp,
    log: getRunLogOp,
    materialize: startMaterializationOp,
    materializeIncremental: startIncrementalMaterializationOp,
    cancel: cancelRunOp,
    retry: retryRunOp,
  }),
);

export const freshnessRouter = router(
  doorsOf({ list: getFreshnessOp, engines: engineFreshnessOp, lagHistory: lagHistoryOp }),
);

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
