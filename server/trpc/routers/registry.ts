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
  planFeatureViewOp,
  searchFeaturesOp,
  updateConsumerOp,
  updateDataSourceOp,
  updateEntityOp,
  updateFeatureServiceOp,
  updateFeatureViewOp,
} from "../../registry";
import {
  deleteConsumerOp,
  deleteDataSourceOp,
  deleteEntityOp,
  deleteFeatureServiceOp,
  deleteFeatureViewOp,
  deprecateConsumerOp,
  deprecateDataSourceOp,
  deprecateEntityOp,
  deprecateFeatureServiceOp,
  deprecateFeatureViewOp,
  undeprecateConsumerOp,
  undeprecateDataSourceOp,
  undeprecateEntityOp,
  undeprecateFeatureServiceOp,
  undeprecateFeatureViewOp,
} from "../../registry/lifecycle";
import { featureViewUsageOp } from "../../usage";
import { doorsOf } from "../doors";
import { router } from "../init";

/** The registry's procedures, each derived from its operation descriptor. */

export const projectsRouter = router(doorsOf({ list: listProjectsOp }));

export const entitiesRouter = router(
  doorsOf({
    list: listEntitiesOp,
    get: getEntityOp,
    create: createEntityOp,
    update: updateEntityOp,
    delete: deleteEntityOp,
    deprecate: deprecateEntityOp,
    undeprecate: undeprecateEntityOp,
  }),
);

export const sourcesRouter = router(
  doorsOf({
    list: listDataSourcesOp,
    get: getDataSourceOp,
    create: createDataSourceOp,
    update: updateDataSourceOp,
    delete: deleteDataSourceOp,
    deprecate: deprecateDataSourceOp,
    undeprecate: undeprecateDataSourceOp,
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
    plan: planFeatureViewOp,
    delete: deleteFeatureViewOp,
    deprecate: deprecateFeatureViewOp,
    undeprecate: undeprecateFeatureViewOp,
  }),
);

export const featureServicesRouter = router(
  doorsOf({
    list: listFeatureServicesOp,
    get: getFeatureServiceOp,
    create: createFeatureServiceOp,
    update: updateFeatureServiceOp,
    delete: deleteFeatureServiceOp,
    deprecate: deprecateFeatureServiceOp,
    undeprecate: undeprecateFeatureServiceOp,
  }),
);

export const consumersRouter = router(
  doorsOf({
    list: listConsumersOp,
    get: getConsumerOp,
    create: createConsumerOp,
    update: updateConsumerOp,
    delete: deleteConsumerOp,
    deprecate: deprecateConsumerOp,
    undeprecate: undeprecateConsumerOp,
  }),
);

export const searchRouter = router(doorsOf({ features: searchFeaturesOp }));
