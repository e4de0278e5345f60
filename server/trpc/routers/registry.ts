import "server-only";
import {
  createConsumerOp,
  createDataSourceOp,
  createEntityOp,
  createFeatureServiceOp,
  createFeatureViewOp,
  diffFeatureViewVersionsOp,
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
  searchFeaturesOp,
  searchObjectsOp,
  updateConsumerOp,
  updateDataSourceOp,
  updateEntityOp,
  updateFeatureServiceOp,
  updateFeatureViewOp,
} from "../../registry";
import { featureViewUsageOp } from "../../usage";
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
  }),
);

export const featureViewsRouter = router(
  doorsOf({
    list: listFeatureViewsOp,
    get: getFeatureViewOp,
    versions: listFeatureViewVersionsOp,
    diff: diffFeatureViewVersionsOp,
    usage: featureViewUsageOp,
    create: createFeatureViewOp,
    update: updateFeatureViewOp,
  }),
);

export const featureServicesRouter = router(
  doorsOf({
    list: listFeatureServicesOp,
    get: getFeatureServiceOp,
    create: createFeatureServiceOp,
    update: updateFeatureServiceOp,
  }),
);

export const consumersRouter = router(
  doorsOf({ list: listConsumersOp, get: getConsumerOp, create: createConsumerOp, update: updateConsumerOp }),
);

export const searchRouter = router(doorsOf({ features: searchFeaturesOp, objects: searchObjectsOp }));
