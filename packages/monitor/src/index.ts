export { LogIngest, type IngestResult, type IngestStats, type LogIngestDependencies, type LogIngestOptions, type LogMessage } from './log-ingest.ts';
export { Judge, type JudgeDependencies, type JudgeOptions, type JudgeStats, type Look, type LookOutcome, type LookSignals, type SignalSource } from './judge.ts';
export type { MonitorDependencies } from './monitor-dependencies.ts';
export { listServedWindows } from './window-range.ts';
export {
  DEFAULT_QUALITY_THRESHOLDS,
  windowSignals,
  type KeyedSignal,
  type QualityThresholds,
  type SignalOptions,
  type WindowForSignals,
  type WindowVerdict,
} from './window-signals.ts';
export { ProfileCache, type ProfileCacheOptions } from './profile-cache.ts';
export { archiveGroups, archiveKey } from './archive.ts';
export { applyWindowSignals, eventFor, type AlertEngineDependencies, type AlertOutcome } from './alerts/alert-engine.ts';
export { AlertDesk, type AlertActionResult } from './alerts/alert-desk.ts';
export { NO_NOTIFIER, type AlertNotification, type AlertNotifier } from './alerts/notifier.ts';
export { WebhookNotifier, WebhookTargetSchema, webhookBody, webhooksFromEnv, type WebhookOptions, type WebhookTarget } from './alerts/webhooks.ts';
export { queryDrift, type DriftQuery, type DriftQueryResult, type ServingHealth, type VersionCount } from './drift-query.ts';
export { GuardrailEvaluator, type GuardrailDependencies, type GuardrailEvaluatorOptions, type GuardrailLook, type OutcomeSource } from './guardrail-evaluator.ts';
export { queryShadows, type ShadowSummary } from './shadow-query.ts';
export { performanceSignalSource, performanceSignals, versionSeries, type PerformanceVerdict, type VersionSeries } from './performance-signals.ts';
export { queryPerformance, type PerformanceQuery, type SeriesPerformance, type WindowPerformance } from './performance-query.ts';
