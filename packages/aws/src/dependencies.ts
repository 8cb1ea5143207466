import type { ApiDependencies, ServingAppDependencies } from '@flywheel/api';
import type { Logger } from '@flywheel/core';
import { DynamoApiKeyStore } from './api-key-store.ts';
import { S3ArtifactStore } from './artifact-store.ts';
import { DynamoEndpointStore } from './endpoint-store.ts';
import { DynamoModelRegistry } from './model-registry-store.ts';
import { DynamoGovernanceStore } from './governance-store.ts';
import { DynamoDatasetRegistry } from './dataset-registry-store.ts';
import { S3DatasetStore } from './dataset-store.ts';
import type { AwsClients } from './clients.ts';
import type { ResourceNames } from './resources.ts';
import { createMonitoringApiDependencies } from './monitor-dependencies.ts';
import { SqsEventPublisher } from './sqs-event-publisher.ts';
import { DynamoEventStore } from './event-store.ts';
import { DynamoAuditLog } from './audit-log.ts';
import { DynamoRateLimitLedger } from './rate-limit-ledger.ts';
import { createRetrainPorts } from './retrain-ports.ts';
import { createFeedbackPorts } from './feedback-dependencies.ts';
import { createBatchPorts } from './batch-ports.ts';
import { createTrackingPorts } from './tracking-ports.ts';
import { createErasureApiDependencies } from './erasure-dependencies.ts';

/** The API's ports, implemented with the AWS SDK against the named resources. */
export function createApiDependencies(clients: AwsClients, names: ResourceNames, options: { logger?: Logger } = {}): ApiDependencies {
  return {
    ...createServingDependencies(clients, { registryTable: names.tables.registry, bucket: names.bucket }),
    ...createMonitoringApiDependencies(clients, names, process.env, options.logger),
    governance: new DynamoGovernanceStore(clients.dynamodb, names.tables.registry),
    datasets: { registry: new DynamoDatasetRegistry(clients.dynamodb, names.tables.registry), objects: new S3DatasetStore(clients.s3, names.bucket) },
    events: new SqsEventPublisher(clients.sqs, names.queues.events),
    retraining: { events: new DynamoEventStore(clients.dynamodb, names.tables.operations), retrain: createRetrainPorts(clients, names) },
    feedback: feedbackApiDependencies(clients, names),
    audit: new DynamoAuditLog(clients.dynamodb, names.tables.operations),
    rateLimits: new DynamoRateLimitLedger(clients.dynamodb, names.tables.operations),
    batch: createBatchPorts(clients, names),
    tracking: createTrackingPorts(clients, names),
    erasures: createErasureApiDependencies(clients, names),
  };
}

function feedbackApiDependencies(clients: AwsClients, names: ResourceNames): NonNullable<ApiDependencies['feedback']> {
  const { feedback, experiments } = createFeedbackPorts(clients, names);
  return { feedback, experiments, events: new SqsEventPublisher(clients.sqs, names.queues.events) };
}

/** The predict path's ports, from just the registry table and the bucket (all the edge function has). */
export function createServingDependencies(clients: AwsClients, names: { registryTable: string; bucket: string }): ServingAppDependencies {
  return {
    apiKeys: new DynamoApiKeyStore(clients.dynamodb, names.registryTable),
    registry: new DynamoModelRegistry(clients.dynamodb, names.registryTable),
    endpoints: new DynamoEndpointStore(clients.dynamodb, names.registryTable),
    artifacts: new S3ArtifactStore(clients.s3, names.bucket),
  };
}
