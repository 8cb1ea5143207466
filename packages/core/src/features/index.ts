export {
  EVENT_TIME,
  FEATURE_EVENT_TIME,
  featureViewDefinitionSchema,
  nextFeatureViewRecord,
  viewFeatureSchema,
  type FeatureViewDefinition,
  type FeatureViewRecord,
  type ViewFeature,
} from './view.ts';
export { EVENT_TIME_SKEW_MS, entityKey, latestPerEntity, parseEventTime, validateFeatureRows, type FeatureRow, type FeatureValue, type RejectedRow } from './rows.ts';
export { nullValues, onlineValues, rowAnswersAt, type AsOfValues } from './as-of.ts';
export { pointInTimeJoinSql, type PointInTimeQuery, type PointInTimeTables } from './point-in-time-sql.ts';
export type { FeatureViewStore, OfflineFeatureStore, OnlineFeatureStore, SpineRow } from './ports.ts';
export { entitiesToLookUp, fillFromView, viewNeeds, type ViewNeed } from './fill.ts';
export { FeatureEntityEraser, FeatureStore, type FeatureStorePorts, type IngestResult } from './feature-store.ts';
export { FeatureJoinError } from './join-error.ts';
