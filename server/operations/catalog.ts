import "server-only";
import { setInstanceAdminOp } from "../admin/admins";
import { getMeOp } from "../admin/me";
import {
  createAlertRuleOp,
  deleteAlertRuleOp,
  listAlertRulesOp,
  listDeliveriesOp,
  listIncidentsOp,
  testAlertRuleOp,
  updateAlertRuleOp,
} from "../alerts";
import { listInstanceAuditOp } from "../audit/instance";
import { listAuditLogOp } from "../audit/list";
import { listMySignInsOp } from "../audit/sign-ins";
import { createApiKeyOp, listApiKeysOp, revokeApiKeyOp } from "../auth/api-keys";
import { addMemberOp, changeRoleOp, listMembersOp, removeMemberOp } from "../auth/members";
import { createAccountInProjectOp, createUserOp } from "../auth/users";
import {
  buildDatasetOp,
  cancelDatasetOp,
  createDatasetOp,
  deleteDatasetOp,
  downloadDatasetOp,
  getDatasetOp,
  listDatasetsOp,
  previewDatasetOp,
  previewDraftOp,
  uploadEntitiesOp,
} from "../datasets";
import { getFreshnessOp } from "../freshness/get-freshness";
import { lagHistoryOp } from "../freshness/lag-history";
import {
  cancelRunOp,
  getRunLogOp,
  getRunOp,
  listRunsOp,
  retryRunOp,
  startIncrementalMaterializationOp,
  startMaterializationOp,
} from "../materialization";
import { executeRunOp, probeSourcesOp } from "../materialization/job-operations";
import {
  createOnDemandViewOp,
  deleteOnDemandViewOp,
  getOnDemandViewOp,
  listOnDemandViewsOp,
  updateOnDemandViewOp,
} from "../on-demand/registry";
import { diffOnDemandViewVersionsOp, listOnDemandViewVersionsOp } from "../on-demand/versions";
import {
  addOwnSchemaOp,
  checkOfflineSpacesOp,
  createConsumerOp,
  createDataSourceOp,
  createEntityOp,
  createFeatureServiceOp,
  createFeatureViewOp,
  createProjectOp,
  diffFeatureViewVersionsOp,
  featureHistoryOp,
  getConsumerOp,
  getDataSourceOp,
  getEntityOp,
  getFeatureServiceOp,
  getFeatureViewOp,
  getOfflineSpaceOp,
  grantSharedSchemaOp,
  listConsumersOp,
  listDataSourcesOp,
  listEntitiesOp,
  listFeatureServicesOp,
  listFeatureViewsOp,
  listFeatureViewVersionsOp,
  listProjectsOp,
  offlineSetupStatementsOp,
  planFeatureViewOp,
  previewSourceOp,
  previewViewOp,
  revokeSharedSchemaOp,
  searchFeaturesOp,
  searchObjectsOp,
  sourceColumnsOp,
  updateConsumerOp,
  updateDataSourceOp,
  updateEntityOp,
  updateFeatureServiceOp,
  updateFeatureViewOp,
} from "../registry";
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
  deprecateDatasetOp,
  deprecateEntityOp,
  deprecateFeatureServiceOp,
  deprecateFeatureViewOp,
  entityDependantsOp,
  featureServiceDependantsOp,
  featureViewDependantsOp,
  undeprecateConsumerOp,
  undeprecateDataSourceOp,
  undeprecateDatasetOp,
  undeprecateEntityOp,
  undeprecateFeatureServiceOp,
  undeprecateFeatureViewOp,
} from "../registry/lifecycle";
import {
  getFeatureConsumersOp,
  getLineageOp,
  getLineageOverviewOp,
  getNeighborhoodOp,
  searchLineageOp,
} from "../registry/lineage";
import { getLineageColumnsOp } from "../registry/lineage-columns";
import {
  deleteScheduleOp,
  getScheduleOp,
  listSchedulesOp,
  pauseScheduleOp,
  resumeScheduleOp,
  setScheduleOp,
} from "../schedules";
import {
  getHistoricalFeaturesOp,
  getOnlineFeaturesOp,
  healthOp,
  materializeIncrementalOp,
  materializeOp,
  pushOp,
} from "../serving";
import {
  computeFeatureStatisticsOp,
  executeStatisticsOp,
  getFeatureStatisticsOp,
} from "../statistics/operations";
import { getStatisticsSettingsOp, setDriftThresholdOp } from "../statistics/settings";
import { streamViewLagOp } from "../streams/lag-op";
import {
  createStreamViewOp,
  deleteStreamViewOp,
  getStreamViewOp,
  listStreamViewsOp,
  updateStreamViewOp,
} from "../streams/registry";
import { diffStreamViewVersionsOp, listStreamViewVersionsOp } from "../streams/versions";
import {
  createTransformationOp,
  deleteTransformationOp,
  diffTransformationOp,
  getTransformationOp,
  listTransformationsOp,
  listTransformationVersionsOp,
  previewTransformationOp,
  updateTransformationOp,
} from "../transformations/registry";
import {
  backfillTransformationOp,
  cancelTransformationRunOp,
  executeTransformationRunOp,
  getTransformationRunOp,
  listTransformationRunsOp,
  runTransformationOp,
} from "../transformations/runs";
import {
  consumerUsageOp,
  entityUsageOp,
  featureServiceUsageOp,
  featureViewUsageOp,
  sourceUsageOp,
} from "../usage";
import type { AnyOperation } from "./define";

/**
 * Every operation of Quiver, once. The REST door (POST /api/v1/ops/<name>), the OpenAPI document
 * and the route table read this list; the tRPC routers name the same descriptors, and a test
 * checks the two agree (server/operations/catalog.test.ts).
 */
export const OPERATIONS: readonly AnyOperation[] = [
  // registry
  listProjectsOp,
  createProjectOp,
  listEntitiesOp,
  getEntityOp,
  entityUsageOp,
  createEntityOp,
  updateEntityOp,
  listDataSourcesOp,
  getDataSourceOp,
  createDataSourceOp,
  updateDataSourceOp,
  previewSourceOp,
  sourceColumnsOp,
  sourceUsageOp,
  listFeatureViewsOp,
  getFeatureViewOp,
  listFeatureViewVersionsOp,
  diffFeatureViewVersionsOp,
  featureViewUsageOp,
  previewViewOp,
  featureHistoryOp,
  createFeatureViewOp,
  updateFeatureViewOp,
  planFeatureViewOp,
  listFeatureServicesOp,
  getFeatureServiceOp,
  featureServiceUsageOp,
  createFeatureServiceOp,
  updateFeatureServiceOp,
  listConsumersOp,
  getConsumerOp,
  consumerUsageOp,
  createConsumerOp,
  updateConsumerOp,
  searchFeaturesOp,
  searchObjectsOp,
  getLineageOp,
  getNeighborhoodOp,
  getLineageOverviewOp,
  searchLineageOp,
  getFeatureConsumersOp,
  getLineageColumnsOp,
  // deleting and deprecating registry objects (docs/adr/0025)
  entityDependantsOp,
  dataSourceDependantsOp,
  featureViewDependantsOp,
  featureServiceDependantsOp,
  consumerDependantsOp,
  deleteEntityOp,
  deleteDataSourceOp,
  deleteFeatureViewOp,
  deleteFeatureServiceOp,
  deleteConsumerOp,
  deprecateEntityOp,
  undeprecateEntityOp,
  deprecateDataSourceOp,
  undeprecateDataSourceOp,
  deprecateFeatureViewOp,
  undeprecateFeatureViewOp,
  deprecateFeatureServiceOp,
  undeprecateFeatureServiceOp,
  deprecateConsumerOp,
  undeprecateConsumerOp,
  deprecateDatasetOp,
  undeprecateDatasetOp,
  // saved datasets
  listDatasetsOp,
  getDatasetOp,
  uploadEntitiesOp,
  previewDraftOp,
  createDatasetOp,
  previewDatasetOp,
  downloadDatasetOp,
  cancelDatasetOp,
  deleteDatasetOp,
  buildDatasetOp,
  // offline space
  getOfflineSpaceOp,
  grantSharedSchemaOp,
  revokeSharedSchemaOp,
  addOwnSchemaOp,
  checkOfflineSpacesOp,
  offlineSetupStatementsOp,
  // jobs and freshness
  listRunsOp,
  getRunOp,
  getRunLogOp,
  startMaterializationOp,
  startIncrementalMaterializationOp,
  cancelRunOp,
  retryRunOp,
  getFreshnessOp,
  lagHistoryOp,
  executeRunOp,
  probeSourcesOp,
  // feature view schedules (docs/adr/0031)
  getScheduleOp,
  listSchedulesOp,
  setScheduleOp,
  pauseScheduleOp,
  resumeScheduleOp,
  deleteScheduleOp,
  // feature statistics
  getFeatureStatisticsOp,
  computeFeatureStatisticsOp,
  executeStatisticsOp,
  getStatisticsSettingsOp,
  setDriftThresholdOp,
  // batch transformations (docs/adr/0035)
  listTransformationsOp,
  getTransformationOp,
  diffTransformationOp,
  listTransformationVersionsOp,
  createTransformationOp,
  updateTransformationOp,
  deleteTransformationOp,
  previewTransformationOp,
  runTransformationOp,
  backfillTransformationOp,
  cancelTransformationRunOp,
  listTransformationRunsOp,
  getTransformationRunOp,
  executeTransformationRunOp,
  // alerts (docs/adr/0032)
  listAlertRulesOp,
  createAlertRuleOp,
  updateAlertRuleOp,
  deleteAlertRuleOp,
  testAlertRuleOp,
  listDeliveriesOp,
  listIncidentsOp,
  // stream views (docs/adr/0037)
  listStreamViewsOp,
  getStreamViewOp,
  createStreamViewOp,
  updateStreamViewOp,
  deleteStreamViewOp,
  listStreamViewVersionsOp,
  diffStreamViewVersionsOp,
  streamViewLagOp,
  // serving (Feast's wire format)
  getOnlineFeaturesOp,
  getHistoricalFeaturesOp,
  pushOp,
  materializeOp,
  materializeIncrementalOp,
  healthOp,
  // people and access
  getMeOp,
  listMySignInsOp,
  listMembersOp,
  addMemberOp,
  changeRoleOp,
  removeMemberOp,
  createAccountInProjectOp,
  createUserOp,
  setInstanceAdminOp,
  listApiKeysOp,
  createApiKeyOp,
  revokeApiKeyOp,
  listAuditLogOp,
  listInstanceAuditOp,
  // on-demand feature views (docs/adr/0036)
  listOnDemandViewsOp,
  getOnDemandViewOp,
  createOnDemandViewOp,
  updateOnDemandViewOp,
  deleteOnDemandViewOp,
  listOnDemandViewVersionsOp,
  diffOnDemandViewVersionsOp,
];

const BY_NAME = new Map(OPERATIONS.map((op) => [op.name, op]));

export function operationNamed(name: string): AnyOperation | undefined {
  return BY_NAME.get(name);
}
