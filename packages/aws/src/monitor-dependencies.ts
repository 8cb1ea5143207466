import type { ApiDependencies } from '@flywheel/api';
import { ServingMetrics, meteredSink, type Logger } from '@flywheel/core';
import { AlertDesk, WebhookNotifier, webhooksFromEnv, type AlertNotifier, type MonitorDependencies } from '@flywheel/monitor';
import { DynamoAlertStore } from './alert-store.ts';
import type { AwsClients } from './clients.ts';
import { SqsDeadLetterQueue } from './dead-letter-queue.ts';
import { DynamoDriftScoreStore } from './drift-score-store.ts';
import { DynamoPerformanceScoreStore } from './performance-score-store.ts';
import { DynamoModelRegistry } from './model-registry-store.ts';
import { DynamoEndpointStore } from './endpoint-store.ts';
import { DynamoGuardrailStateStore } from './state-store.ts';
import { DynamoBatchLedger } from './log-batch-ledger.ts';
import { S3LogArchive } from './log-archive.ts';
import { DynamoWindowStore } from './monitoring-window-store.ts';
import { createPredictionLogSink } from './prediction-log-sink.ts';
import { S3ReferenceProfileStore } from './reference-profile-store.ts';
import type { ResourceNames } from './resources.ts';
import { SqsEventPublisher } from './sqs-event-publisher.ts';
import { createFeedbackPorts } from './feedback-dependencies.ts';

/** The judge's ports (what the log ingest alone needs is left out, so the judge function is given no more). */
export function createJudgeDependencies(clients: AwsClients, names: ResourceNames, options: { notifier?: AlertNotifier } = {}): JudgePorts {
  return judgePorts(clients, names, createFeedbackPorts(clients, names), options);
}

type JudgePorts = Omit<MonitorDependencies, 'ledger' | 'archive' | 'deadLetters' | 'predictions'>;

function judgePorts(clients: AwsClients, names: ResourceNames, feedback: ReturnType<typeof createFeedbackPorts>, options: { notifier?: AlertNotifier }): JudgePorts {
  return {
    windows: new DynamoWindowStore(clients.dynamodb, names.tables.monitoring),
    profiles: new S3ReferenceProfileStore(clients.s3, names.bucket),
    alerts: new DynamoAlertStore(clients.dynamodb, names.tables.operations),
    events: new SqsEventPublisher(clients.sqs, names.queues.events),
    driftScores: new DynamoDriftScoreStore(clients.dynamodb, names.tables.monitoring),
    versions: new DynamoModelRegistry(clients.dynamodb, names.tables.registry),
    performanceScores: new DynamoPerformanceScoreStore(clients.dynamodb, names.tables.monitoring),
    guardrails: {
      endpoints: new DynamoEndpointStore(clients.dynamodb, names.tables.registry),
      state: new DynamoGuardrailStateStore(clients.dynamodb, names.tables.operations),
      // The experiment tallies: the outcomes joined by feedback, per variant and config version.
      outcomes: feedback.experiments,
    },
    ...(options.notifier ? { notifier: options.notifier } : {}),
  };
}

/** The monitor's ports, implemented with the AWS SDK against the named resources (guardrails included). */
export function createMonitorDependencies(clients: AwsClients, names: ResourceNames, options: { notifier?: AlertNotifier } = {}): MonitorDependencies {
  const feedback = createFeedbackPorts(clients, names);
  return {
    ...judgePorts(clients, names, feedback, options),
    ledger: new DynamoBatchLedger(clients.dynamodb, names.tables.monitoring),
    archive: new S3LogArchive(clients.s3, names.bucket),
    deadLetters: new SqsDeadLetterQueue(clients.sqs, names.queues.predictionLogs),
    predictions: feedback.predictions,
  };
}

/**
 * The API's monitoring ports: the prediction log sink (counted into `servingMetrics` on the way),
 * and the stores behind drift, alerts, baselines and /metrics.
 */
export function createMonitoringApiDependencies(
  clients: AwsClients,
  names: ResourceNames,
  env: Record<string, string | undefined> = process.env,
  logger?: Logger,
): Required<Pick<ApiDependencies, 'predictionLog' | 'monitoring' | 'servingMetrics'>> {
  const servingMetrics = new ServingMetrics();
  const sink = createPredictionLogSink(clients, { queueUrl: names.queues.predictionLogs, bucket: names.bucket, unitHashKey: env.FLYWHEEL_UNIT_HASH_KEY || undefined }, { logger });
  const alerts = new DynamoAlertStore(clients.dynamodb, names.tables.operations);
  const events = new SqsEventPublisher(clients.sqs, names.queues.events);
  const profiles = new S3ReferenceProfileStore(clients.s3, names.bucket);
  return {
    predictionLog: meteredSink(sink, servingMetrics),
    servingMetrics,
    monitoring: {
      windows: new DynamoWindowStore(clients.dynamodb, names.tables.monitoring),
      profiles,
      baselines: profiles,
      driftScores: new DynamoDriftScoreStore(clients.dynamodb, names.tables.monitoring),
      performanceScores: new DynamoPerformanceScoreStore(clients.dynamodb, names.tables.monitoring),
      alerts: new AlertDesk({ alerts, events, notifier: new WebhookNotifier(webhooksFromEnv(env, logger), { logger }) }),
    },
  };
}
