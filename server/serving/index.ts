import "server-only";

export {
  type FeatureColumn,
  type FieldStatus,
  GetOnlineFeaturesInput,
  getOnlineFeatures,
  MAX_ROWS,
  MAX_VALUES,
  type OnlineFeaturesResponse,
} from "./get-online-features";
export { checkHealth, type Health } from "./health";
export {
  MaterializeIncrementalRequest,
  MaterializeRequest,
  parseMaterializeIncrementalRequest,
  parseMaterializeRequest,
} from "./materialize-requests";
export { MAX_PUSH_ROWS, PushInput, type PushResult, push } from "./push";
