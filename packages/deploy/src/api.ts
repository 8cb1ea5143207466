import type { ApiDependencies, ServingAppDependencies } from '@flywheel/api';
import { DynamoApiKeyStore, DynamoEndpointStore, DynamoModelRegistry, S3ArtifactStore, type AwsClients, type ResourceNames } from '@flywheel/aws';
import type { Logger } from '@flywheel/core';
import { WebhookNotifier, webhooksFromEnv } from '@flywheel/monitor';
import { createErasureApiDependencies } from './erasure-ports.ts';
import { createMonitoringApiDependencies } from './monitoring.ts';
import { StackAdapters } from './stack-adapters.ts';

/**
 * The API's composition root: its ports, implemented with the AWS SDK against the named
 * resources, every adapter built once (see {@link StackAdapters}).
 */
export function createApiDependencies(clients: AwsClients, names: ResourceNames, options: { env?: Record<string, string | undefined>; logger?: Logger } = {}): ApiDependencies {
  return apiDependencies(new StackAdapters(clients, names, options.env ?? process.env, options.logger));
}

export function apiDependencies(stack: StackAdapters): ApiDependencies {
  const { feedback, experiments } = stack.feedback;
  return {
    ...stack.serving,
    ...createMonitoringApiDependencies(stack, new WebhookNotifier(webhooksFromEnv(stack.env, stack.logger), { logger: stack.logger })),
    governance: stack.governance,
    datasets: { registry: stack.datasetRegistry, objects: stack.datasetObjects },
    events: stack.events,
    retraining: { events: stack.eventStore, retrain: stack.retrain },
    feedback: { feedback, experiments, events: stack.events },
    audit: stack.audit,
    rateLimits: stack.rateLimits,
    batch: stack.batch,
    tracking: stack.tracking,
    erasures: createErasureApiDependencies(stack),
  };
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
