import type { Context, ScheduledEvent } from 'aws-lambda';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { createFunctionLogger, type AwsClients, type ResourceNames } from '@flywheel/aws';
import {
  Judge,
  WebhookNotifier,
  performanceSignalSource,
  webhooksFromEnv,
  type AlertNotifier,
  type JudgeDependencies,
  type JudgeOptions,
  type JudgeStats,
} from '@flywheel/monitor';
import { VersionCache, type Logger, type PerformanceThresholdsInput } from '@flywheel/core';
import { createJudgeDependencies } from './monitoring.ts';
import { StackAdapters } from './stack-adapters.ts';

export interface JudgeHandlerOptions {
  judge?: JudgeOptions & { performance?: PerformanceThresholdsInput };
  /** CloudWatch metrics (EMF); the Lambda entry passes Powertools', local runs none. */
  metrics?: Metrics;
  /** Longest wait for webhook deliveries before returning. */
  notificationWaitMs?: number;
  env?: Record<string, string | undefined>;
  /** Default: Powertools Logger (JSON lines, service `judge`). */
  logger?: Logger;
}

/**
 * The judge over the stack's resources. The log consumer builds one too, without retraining
 * ports (it never starts scheduled runs), to judge canaries right after it merges.
 */
export function createJudge(
  stack: StackAdapters,
  notifier: AlertNotifier,
  options: JudgeOptions & { performance?: PerformanceThresholdsInput } = {},
  ports: Pick<JudgeDependencies, 'retrain'> = {},
): Judge {
  const deps = createJudgeDependencies(stack, { notifier });
  const { performance, ...judgeOptions } = options;
  // Realized and estimated performance join drift, quality and health in every look.
  const signalSources = [
    ...(deps.versions ? [performanceSignalSource(new VersionCache(deps.versions), deps.performanceScores, performance)] : []),
    ...(judgeOptions.signalSources ?? []),
  ];
  return new Judge({ ...deps, endpoints: stack.endpoints, ...ports }, { ...judgeOptions, signalSources });
}

/**
 * The judge function, on an EventBridge schedule: every endpoint's latest look (drift, quality,
 * health, alerts), its canary and its retraining schedule, as of the event's time.
 */
export function createJudgeHandler(clients: AwsClients, names: ResourceNames, options: JudgeHandlerOptions = {}) {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createFunctionLogger('judge');
  const stack = new StackAdapters(clients, names, env, logger);
  const notifier = new WebhookNotifier(webhooksFromEnv(env, logger), { logger });
  const judge = createJudge(stack, notifier, { logger, ...options.judge }, { retrain: stack.retrain });
  return async (event: ScheduledEvent, _context: Context): Promise<JudgeStats> => {
    const stats = await judge.judgeAll(new Date(event.time));
    await notifier.settle(options.notificationWaitMs ?? 2000);
    if (options.metrics) publishMetrics(options.metrics, stats);
    return stats;
  };
}

function publishMetrics(metrics: Metrics, stats: JudgeStats): void {
  const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
  count('EndpointsJudged', stats.looks);
  count('AlertsOpened', stats.alertsOpened);
  count('AlertsResolved', stats.alertsResolved);
  count('GuardrailLooks', stats.guardrailLooks);
  count('GuardrailChanges', stats.guardrailChanges);
  count('ScheduledRuns', stats.scheduledRuns);
  count('JudgeFailures', stats.failures);
  metrics.publishStoredMetrics();
}
