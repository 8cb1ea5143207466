import type { ApiDependencies } from '@flywheel/api';
import { ServingMetrics, meteredSink } from '@flywheel/core';
import { AlertDesk, type AlertNotifier, type MonitorDependencies } from '@flywheel/monitor';
import type { StackAdapters } from './stack-adapters.ts';

type JudgePorts = Omit<MonitorDependencies, 'ledger' | 'archive' | 'deadLetters' | 'predictions'>;

/** The judge's ports (what the log ingest alone needs is left out, so the judge function is given no more). */
export function createJudgeDependencies(stack: StackAdapters, options: { notifier?: AlertNotifier } = {}): JudgePorts {
  return {
    windows: stack.windows,
    profiles: stack.profiles,
    alerts: stack.alerts,
    events: stack.events,
    driftScores: stack.driftScores,
    versions: stack.registry,
    performanceScores: stack.performanceScores,
    guardrails: {
      endpoints: stack.endpoints,
      state: stack.guardrailStates,
      // The experiment tallies: the outcomes joined by feedback, per variant and config version.
      outcomes: stack.feedback.experiments,
    },
    ...(options.notifier ? { notifier: options.notifier } : {}),
  };
}

/** The monitor's ports, implemented with the AWS SDK against the named resources (guardrails included). */
export function createMonitorDependencies(stack: StackAdapters, options: { notifier?: AlertNotifier } = {}): MonitorDependencies {
  return {
    ...createJudgeDependencies(stack, options),
    ledger: stack.ledger,
    archive: stack.archive,
    deadLetters: stack.deadLetters,
    predictions: stack.feedback.predictions,
  };
}

/**
 * The API's monitoring ports: the prediction log sink (counted into `servingMetrics` on the way),
 * and the stores behind drift, alerts, baselines and /metrics.
 */
export function createMonitoringApiDependencies(stack: StackAdapters, notifier: AlertNotifier): Required<Pick<ApiDependencies, 'predictionLog' | 'monitoring' | 'servingMetrics'>> {
  const servingMetrics = new ServingMetrics();
  return {
    predictionLog: meteredSink(stack.predictionLogSink, servingMetrics),
    servingMetrics,
    monitoring: {
      windows: stack.windows,
      profiles: stack.profiles,
      baselines: stack.profiles,
      driftScores: stack.driftScores,
      performanceScores: stack.performanceScores,
      alerts: new AlertDesk({ alerts: stack.alerts, events: stack.events, notifier }),
    },
  };
}
