export {
  HOUR_MS,
  MINUTE_MS,
  WINDOW_MS,
  hourStart,
  minuteWindowOf,
  recordHour,
  recordMinute,
  windowEnd,
  windowKeyId,
  windowLengthMs,
  windowOf,
  type WindowKey,
} from './window-key.ts';
export { WindowStateBuilder, emptyWindowState, mergeAgreementCounts, mergeWindowStates, type AgreementCounts, type WindowState } from './window-state.ts';
export type {
  BatchLedger,
  ClaimResult,
  DeadLetterQueue,
  DriftScoreStore,
  LatestScoresStore,
  LogArchive,
  PerformanceScoreStore,
  StoredWindow,
  WindowSeries,
  WindowStore,
} from './ports.ts';
export type { SeriesScores } from './series-scores.ts';
export { driftScores, type DriftScores } from './drift-scores.ts';
export type { PerformanceScores } from './performance-scores.ts';
export { VersionCache, type VersionFacts, type VersionRegistry } from './version-cache.ts';
