import "server-only";

export { type FeatureViewUsage, featureViewUsageOp, getFeatureViewUsage } from "./feature-view-usage";
export {
  consumerUsageOp,
  entityUsageOp,
  featureServiceUsageOp,
  getConsumerUsage,
  getEntityUsage,
  getFeatureServiceUsage,
  getSourceUsage,
  type ObjectUsage,
  sourceUsageOp,
} from "./object-usage";
export {
  createUsageRecorder,
  DEFAULT_FLUSH_MS,
  USAGE_RETENTION_DAYS,
  type UsageRecorder,
  type UsageRecorderOptions,
} from "./recorder";
