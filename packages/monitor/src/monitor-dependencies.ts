import type { EventPublisher, PerformanceScoreStore, VersionRegistry, AlertStore, DriftScoreStore } from '@flywheel/core';
import type { AlertNotifier } from './alerts/notifier.ts';
import type { GuardrailDependencies } from './guardrail-evaluator.ts';
import type { LogIngestDependencies } from './log-ingest.ts';

/**
 * The ports of both monitoring units as a deployment builds them once (`createMonitorDependencies`
 * in @flywheel/deploy): the log ingest's, and the judge's but for the endpoint listing and the
 * retraining ports, which only the judge function adds.
 */
export interface MonitorDependencies extends LogIngestDependencies {
  readonly alerts: AlertStore;
  readonly events: EventPublisher;
  readonly driftScores: DriftScoreStore;
  readonly notifier?: AlertNotifier;
  readonly guardrails?: GuardrailDependencies;
  /** Model versions' tasks and reference performance: the ingest keeps what performance needs, the judge judges it. */
  readonly versions?: VersionRegistry;
  /** Where each look's performance is kept for `/metrics`. */
  readonly performanceScores?: PerformanceScoreStore;
}
