import "server-only";
import {
  createConsumerOp,
  createDataSourceOp,
  createEntityOp,
  createFeatureServiceOp,
  createFeatureViewOp,
  diffFeatureViewVersionsOp,
  featureHistoryOp,
  getConsumerOp,
  getDataSourceOp,
  getEntityOp,
  getFeatureServiceOp,
  getFeatureViewOp,
  listConsumersOp,
  listDataSourcesOp,
  listEntitiesOp,
  listFeatureServicesOp,
  listFeatureViewsOp,
  listFeatureViewVersionsOp,
  listProjectsOp,
  previewSourceOp,
  previewViewOp,
  searchFeaturesOp,
  sourceColumnsOp,
  updateConsumerOp,
  updateDataSourceOp,
  updateEntityOp,
  updateFeatureServiceOp,
  updateFeatureViewOp,
} from "../../registry";
import { consumerUsageOp, featureServiceUsageOp, featureViewUsageOp } from "../../usage";
import { doorsOf } from "../doors";
import { router } from "../init";

/** The registry's procedures, each derived from its operation descriptor. */

export const projectsRouter = router(doorsOf({ list: listProjectsOp }));

export const entitiesRouter = router(
  doorsOf({ list: listEntitiesOp, get: getEntityOp, create: createEntityOp, update: updateEntityOp }),
);

export const sourcesRouter = router(
  doorsOf({
    list: listDataSourcesOp,
    get: getDataSourceOp,
    create: createDataSourceOp,
    update: updateDataSourceOp,
    preview: previewSourceOp,
    columns: sourceColumnsOp,
  }),
);

export const featureViewsRouter = router(
  doorsOf({
    list: listFeatureViewsOp,
    get: getFeatureViewOp,
    versions: listFeatureViewVersionsOp,
    diff: diffFeatureViewVersionsOp,
    usage: featureViewUsageOp,
    preview: previewViewOp,
    create: createFeatureViewOp,
    update: updateFeatureViewOp,
  }),
);

export const featureServicesRouter = router(
  doorsOf({
    list: listFeatureServicesOp,
    get: getFeatureServiceOp,
    usage: featureServiceUsageOp,
    create: createFeatureServiceOp,
    update: updateFeatureServiceOp,
  }),
);

export const consumersRouter = router(
  doorsOf({
    list: listConsumersOp,
    get: getConsumerOp,
    usage: consumerUsageOp,
    create: createConsumerOp,
    update: updateConsumerOp,
  }),
);

export const searchRouter = router(doorsOf({ features: searchFeaturesOp }));

/** One feature of a view (its page). */
export const featuresRouter = router(doorsOf({ history: featureHistoryOp }));
