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
  planFeatureViewOp,
  previewSourceOp,
  previewViewOp,
  searchAlsoMatchesOp,
  searchFeaturesOp,
  searchObjectsOp,
  sourceColumnsOp,
  updateConsumerOp,
  updateDataSourceOp,
  updateEntityOp,
  updateFeatureServiceOp,
  updateFeatureViewOp,
} from "../../registry";
import {
  consumerDependantsOp,
  dataSourceDependantsOp,
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
  entityDependantsOp,
  featureServiceDependantsOp,
  featureViewDependantsOp,
  undeprecateConsumerOp,
  undeprecateDataSourceOp,
  undeprecateEntityOp,
  undeprecateFeatureServiceOp,
  undeprecateFeatureViewOp,
} from "../../registry/lifecycle";
import {
  consumerUsageOp,
  entityUsageOp,
  featureServiceUsageOp,
  featureViewUsageOp,
  sourceUsageOp,
} from "../../usage";
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
    dependants: entityDependantsOp,
    deprecate: deprecateEntityOp,
    undeprecate: undeprecateEntityOp,
    usage: entityUsageOp,
  }),
);

export const sourcesRouter = router(
  doorsOf({
    list: listDataSourcesOp,
    get: getDataSourceOp,
    create: createDataSourceOp,
    update: updateDataSourceOp,
    delete: deleteDataSourceOp,
    dependants: dataSourceDependantsOp,
    deprecate: deprecateDataSourceOp,
    undeprecate: undeprecateDataSourceOp,
    preview: previewSourceOp,
    columns: sourceColumnsOp,
    usage: sourceUsageOp,
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
    plan: planFeatureViewOp,
    delete: deleteFeatureViewOp,
    dependants: featureViewDependantsOp,
    deprecate: deprecateFeatureViewOp,
    undeprecate: undeprecateFeatureViewOp,
  }),
);

export const featureServicesRouter = router(
  doorsOf({
    list: listFeatureServicesOp,
    get: getFeatureServiceOp,
    usage: featureServiceUsageOp,
    create: createFeatureServiceOp,
    update: updateFeatureServiceOp,
    delete: deleteFeatureServiceOp,
    dependants: featureServiceDependantsOp,
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
    dependants: consumerDependantsOp,
    deprecate: deprecateConsumerOp,
    undeprecate: undeprecateConsumerOp,
    usage: consumerUsageOp,
  }),
);

export const searchRouter = router(
  doorsOf({ features: searchFeaturesOp, objects: searchObjectsOp, alsoMatches: searchAlsoMatchesOp }),
);

/** One feature of a view (its page). */
export const featuresRouter = router(doorsOf({ history: featureHistoryOp }));
