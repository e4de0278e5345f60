export {
  type FieldColumn,
  type JoinKeyColumn,
  latestPerEntityQuery,
  quoteIdent,
  type SourceDef,
  sourceColumnOf,
  type ViewColumns,
  viewColumns,
} from "./source-query";
export {
  checkSource,
  DEFAULT_BATCH_SIZE,
  newestEventTs,
  offlinePool,
  readLatestPerEntity,
  type SourceRow,
} from "./source-reader";
export { toOnlineValue } from "./value-conversion";
