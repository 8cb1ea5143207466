import type { QueueDefinition } from './types.ts';

const day = 24 * 3600;
// A message keeps the age it had in its source queue when it moves to the dead-letter queue, so the
// dead-letter queue must keep messages longer than the source does, or a message retried until
// its last receive arrives there with almost no time left. 14 days is SQS's longest retention.
const sourceRetentionSeconds = 4 * day;
const deadLetterRetentionSeconds = 14 * day;

export const queues = {
  predictionLogs: {
    name: 'prediction-logs',
    envVar: 'FLYWHEEL_QUEUE_PREDICTION_LOGS',
    description: 'Batched prediction log records from the request path, consumed by the monitor.',
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 5,
    retentionSeconds: sourceRetentionSeconds,
    deadLetterRetentionSeconds,
  },
  events: {
    name: 'events',
    envVar: 'FLYWHEEL_QUEUE_EVENTS',
    description: 'CloudEvents emitted by every part of the system: recorded, notified, and retraining triggers.',
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 5,
    retentionSeconds: sourceRetentionSeconds,
    deadLetterRetentionSeconds,
  },
  trainJobs: {
    name: 'train-jobs',
    envVar: 'FLYWHEEL_QUEUE_TRAIN_JOBS',
    description: 'One message per retraining run, consumed by the trainer one at a time.',
    visibilityTimeoutSeconds: 5400,
    maxReceiveCount: 3,
    retentionSeconds: sourceRetentionSeconds,
    deadLetterRetentionSeconds,
  },
  batchChunks: {
    name: 'batch-chunks',
    envVar: 'FLYWHEEL_QUEUE_BATCH_CHUNKS',
    description: 'Batch prediction jobs: one message plans a job, one per chunk scores it; consumed by the batch function in parallel.',
    // 6× the batch function's timeout: a chunk whose worker died comes back after it.
    visibilityTimeoutSeconds: 720,
    maxReceiveCount: 3,
    retentionSeconds: sourceRetentionSeconds,
    deadLetterRetentionSeconds,
  },
  erasures: {
    name: 'erasures',
    envVar: 'FLYWHEEL_QUEUE_ERASURES',
    description: 'One message per erasure by data subject (or per continuation of a long one), consumed by the erasure worker.',
    // Six times the worker's timeout, as AWS advises for a queue-triggered function.
    visibilityTimeoutSeconds: 1800,
    maxReceiveCount: 5,
    retentionSeconds: sourceRetentionSeconds,
    deadLetterRetentionSeconds,
  },
} as const satisfies Record<string, QueueDefinition>;

/** Every queue has a dead-letter queue named after it. */
export function deadLetterQueueName(queue: QueueDefinition): string {
  return `${queue.name}-dlq`;
}
