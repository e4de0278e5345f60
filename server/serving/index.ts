import "server-only";

export {
  GetHistoricalFeaturesInput,
  getHistoricalFeatures,
  getHistoricalFeaturesOp,
  MAX_HISTORICAL_ROWS,
} from "./get-historical-features";
export {
  type FeatureColumn,
  type FieldStatus,
  GetOnlineFeaturesInput,
  getOnlineFeatures,
  getOnlineFeaturesOp,
  type OnlineFeaturesResponse,
  servingLimits,
} from "./get-online-features";
export { checkHealth, type Health, healthOp } from "./health";
export {
  MaterializeIncrementalRequest,
  MaterializeRequest,
  materializeIncrementalOp,
  materializeOp,
} from "./materialize-requests";
export { MAX_PUSH_ROWS, PUSH_BODY_LIMIT, PushInput, PushResult, push, pushOp } from "./push";
