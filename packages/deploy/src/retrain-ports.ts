import { DynamoRetrainStateStore, DynamoRunStore, SqsTrainJobQueue } from '@flywheel/aws';
import type { RetrainPorts } from '@flywheel/core';
import type { StackAdapters } from './stack-adapters.ts';

/** What starting, coalescing and finishing retraining runs needs, on the stack's resources. */
export function createRetrainPorts(stack: StackAdapters): RetrainPorts {
  const { clients, names } = stack;
  return {
    states: new DynamoRetrainStateStore(clients.dynamodb, names.tables.operations),
    runs: new DynamoRunStore(clients.dynamodb, names.tables.operations),
    jobs: new SqsTrainJobQueue(clients.sqs, names.queues.trainJobs),
    events: stack.events,
  };
}
