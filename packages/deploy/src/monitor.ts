import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { createFunctionLogger, type AwsClients, type ResourceNames } from '@flywheel/aws';
import { LogIngest, WebhookNotifier, webhooksFromEnv, type IngestStats, type JudgeOptions, type LogIngestOptions } from '@flywheel/monitor';
import type { Logger, PerformanceThresholdsInput } from '@flywheel/core';
import { createJudge } from './judge.ts';
import { createMonitorDependencies } from './monitoring.ts';
import { StackAdapters } from './stack-adapters.ts';

export interface MonitorHandlerOptions {
  ingest?: LogIngestOptions;
  /** The judge that looks at canaries right after their traffic is merged. */
  judge?: JudgeOptions & { performance?: PerformanceThresholdsInput };
  /** CloudWatch metrics (EMF); the Lambda entry passes Powertools', local runs none. */
  metrics?: Metrics;
  /** Longest wait for webhook deliveries before returning (they never hold up the batch result). */
  notificationWaitMs?: number;
  env?: Record<string, string | undefined>;
  /** Default: Powertools Logger (JSON lines, service `monitor`). */
  logger?: Logger;
}

/**
 * The prediction-log consumer: SQS batch in, partial batch failures out. It counts the logs into
 * their windows, then has the judge look at the canaries whose traffic it just counted (the
 * freshest counts there are); everything else is judged on the clock by the judge function.
 */
export function createMonitorHandler(clients: AwsClients, names: ResourceNames, options: MonitorHandlerOptions = {}) {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createFunctionLogger('monitor');
  const stack = new StackAdapters(clients, names, env, logger);
  const notifier = new WebhookNotifier(webhooksFromEnv(env, logger), { logger });
  const ingest = new LogIngest(createMonitorDependencies(stack, { notifier }), { logger, ...options.ingest });
  const judge = createJudge(stack, notifier, { logger, ...options.judge });
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const result = await ingest.ingest(
      event.Records.map((record) => ({ messageId: record.messageId, body: record.body })),
      { remainingMs: context.getRemainingTimeInMillis() },
    );
    const canaries = await judge.lookAtCanaries(result.servedEndpoints);
    await notifier.settle(options.notificationWaitMs ?? 2000);
    if (options.metrics) publishMetrics(options.metrics, result.stats, canaries, event);
    return { batchItemFailures: result.failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

function publishMetrics(metrics: Metrics, stats: IngestStats, canaries: { looks: number; changes: number }, event: SQSEvent): void {
  const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
  count('RecordsIngested', stats.records);
  count('BatchesProcessed', stats.batches);
  count('BatchesDuplicate', stats.duplicateBatches);
  count('RecordsRejected', stats.rejectedRecords);
  count('MessagesInvalid', stats.invalidMessages);
  count('WindowsMerged', stats.windowsMerged);
  count('WindowMergeConflicts', stats.mergeConflicts);
  count('GuardrailLooks', canaries.looks);
  count('GuardrailChanges', canaries.changes);
  count('MessagesFailed', stats.failedMessages);
  const oldest = Math.min(...event.Records.map((r) => Number(r.attributes.SentTimestamp)));
  if (Number.isFinite(oldest)) metrics.addMetric('IngestLag', MetricUnit.Milliseconds, Math.max(0, Date.now() - oldest));
  metrics.publishStoredMetrics();
}
