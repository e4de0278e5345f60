import "server-only";
import { computeFeatureStatisticsOp, getFeatureStatisticsOp } from "../../statistics/operations";
import { getStatisticsSettingsOp, setDriftThresholdOp } from "../../statistics/settings";
import { doorsOf } from "../doors";
import { router } from "../init";

/** Feature statistics and drift (docs/adr/0033-feature-statistics.md): read them, or ask for a computation. */
export const statisticsRouter = router(
  doorsOf({
    get: getFeatureStatisticsOp,
    compute: computeFeatureStatisticsOp,
    settings: getStatisticsSettingsOp,
    setThreshold: setDriftThresholdOp,
  }),
);
