import "server-only";

export { describeOfflineError, offlineError } from "./errors";
export { isReservedSchema, type OfflineSpace, type ProjectRoles } from "./roles";
export {
  type FieldColumn,
  type JoinKeyColumn,
  type KeyRange,
  latestPerEntityQuery,
  quoteIdent,
  type SourceDef,
  sourceColumnOf,
  type ViewColumns,
  viewColumns,
} from "./source-query";
export {
  checkSource,
  checkSourceColumns,
  checkSourceDefinition,
  DEFAULT_BATCH_SIZE,
  estimateLatestPerEntity,
  probeSource,
  readLatestPerEntity,
  type SourceColumn,
  type SourceColumns,
  type SourceProbe,
  type SourceRow,
} from "./source-reader";
export { admitSource, describeSpace, qualifyTable, querySourcesOff } from "./space";
export {
  createOfflineStore,
  type OfflinePurpose,
  type OfflineStore,
  type OfflineStoreConfig,
  type OfflineTx,
  PrivilegedRoleError,
} from "./store";
export { insertRows, type RowsToInsert } from "./table-writer";
export { toOnlineValue } from "./value-conversion";
