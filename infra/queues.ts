import type { QueueDefinition } from './types.ts';

const fourteenDays = 14 * 24 * 3600;

export const queues = {
  predictionLogs: {
    name: 'prediction-logs',
    envVar: 'FLYWHEEL_QUEUE_PREDICTION_LOGS',
    description: 'Batched prediction log records from the request path, consumed by the monitor.',
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 5,
    retentionSeconds: fourteenDays,
  },
  events: {
    name: 'events',
    envVar: 'FLYWHEEL_QUEUE_EVENTS',
    description: 'CloudEvents emitted by every part of the system: recorded, notified, and retraining triggers.',
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 5,
    retentionSeconds: fourteenDays,
  },
  trainJobs: {
    name: 'train-jobs',
    envVar: 'FLYWHEEL_QUEUE_TRAIN_JOBS',
    description: 'One message per retraining run, consumed by the trainer one at a time.',
    visibilityTimeoutSeconds: 5400,
    maxReceiveCount: 3,
    retentionSeconds: fourteenDays,
  },
} as const satisfies Record<string, QueueDefinition>;

/** Every queue has a dead-letter queue named after it. */
export function deadLetterQueueName(queue: QueueDefinition): string {
  return `${queue.name}-dlq`;
}
