import type { RetrainPorts } from '@flywheel/core';
import type { AwsClients } from './clients.ts';
import { SqsEventPublisher } from './sqs-event-publisher.ts';
import type { ResourceNames } from './resources.ts';
import { DynamoRetrainStateStore } from './state-store.ts';
import { DynamoRunStore } from './run-store.ts';
import { SqsTrainJobQueue } from './train-job-queue.ts';

/** What starting, coalescing and finishing retraining runs needs, on the stack's resources. */
export function createRetrainPorts(clients: AwsClients, names: ResourceNames): RetrainPorts {
  return {
    states: new DynamoRetrainStateStore(clients.dynamodb, names.tables.operations),
    runs: new DynamoRunStore(clients.dynamodb, names.tables.operations),
    jobs: new SqsTrainJobQueue(clients.sqs, names.queues.trainJobs),
    events: new SqsEventPublisher(clients.sqs, names.queues.events),
  };
}
