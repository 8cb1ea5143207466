import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { createAwsClients, createMonitorDependencies, resourceNamesFromEnv, type AwsClients, type ResourceNames } from '@flywheel/aws';
import { Monitor, WebhookNotifier, webhooksFromEnv, type IngestStats, type MonitorOptions } from '@flywheel/monitor';

export interface MonitorHandlerOptions {
  monitor?: MonitorOptions;
  /** CloudWatch metrics (EMF); the Lambda entry passes Powertools', local runs none. */
  metrics?: Metrics;
  /** Longest wait for webhook deliveries before returning (they never hold up the batch result). */
  notificationWaitMs?: number;
  env?: Record<string, string | undefined>;
}

/** The prediction-log consumer: SQS batch in, partial batch failures out. */
export function createMonitorHandler(clients: AwsClients, names: ResourceNames, options: MonitorHandlerOptions = {}) {
  const notifier = new WebhookNotifier(webhooksFromEnv(options.env ?? process.env));
  const monitor = new Monitor(createMonitorDependencies(clients, names, { notifier }), options.monitor);
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const result = await monitor.ingest(
      event.Records.map((record) => ({ messageId: record.messageId, body: record.body })),
      { remainingMs: context.getRemainingTimeInMillis() },
    );
    await notifier.settle(options.notificationWaitMs ?? 2000);
    if (options.metrics) publishMetrics(options.metrics, result.stats, event);
    return { batchItemFailures: result.failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

function publishMetrics(metrics: Metrics, stats: IngestStats, event: SQSEvent): void {
  const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
  count('RecordsIngested', stats.records);
  count('BatchesProcessed', stats.batches);
  count('BatchesDuplicate', stats.duplicateBatches);
  count('RecordsRejected', stats.rejectedRecords);
  count('MessagesInvalid', stats.invalidMessages);
  count('WindowsMerged', stats.windowsMerged);
  count('WindowMergeConflicts', stats.mergeConflicts);
  count('AlertsOpened', stats.alertsOpened);
  count('AlertsResolved', stats.alertsResolved);
  count('GuardrailLooks', stats.guardrailLooks);
  count('GuardrailChanges', stats.guardrailChanges);
  count('MessagesFailed', stats.failedMessages);
  const oldest = Math.min(...event.Records.map((r) => Number(r.attributes.SentTimestamp)));
  if (Number.isFinite(oldest)) metrics.addMetric('IngestLag', MetricUnit.Milliseconds, Math.max(0, Date.now() - oldest));
  metrics.publishStoredMetrics();
}

let lambdaHandler: ReturnType<typeof createMonitorHandler> | undefined;

/** Lambda entry; everything is built on the first invocation, not at import. */
export const handler = (event: SQSEvent, context: Context) => {
  lambdaHandler ??= createMonitorHandler(createAwsClients(), resourceNamesFromEnv(), {
    metrics: new Metrics({ namespace: 'Flywheel', serviceName: 'monitor' }),
  });
  return lambdaHandler(event, context);
};
