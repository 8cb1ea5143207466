import { createMonitorHandler } from '../../../functions/monitor.ts';
import { createEventsHandler } from '../../../functions/events.ts';
import { createJudgeHandler } from '../../../functions/judge.ts';
import { createTrainHandler } from '../../../functions/train.ts';
import { createFeatureEraser, createFeatureStore } from '@flywheel/aws';
import { DuckDbFeatureEngine } from '@flywheel/aws/duckdb';
import { createBatchHandler } from '../../../functions/batch.ts';
import { createErasureHandler } from '../../../functions/erasure.ts';
import { createRetentionHandler } from '../../../functions/retention.ts';
import type { QueueConsumers, ScheduledFunctions } from './system.ts';

/** The queue-triggered functions `npm start` runs in-process, built exactly as in Lambda. */
export const localConsumers: QueueConsumers = {
  monitor: (clients, names) => createMonitorHandler(clients, names),
  events: (clients, names) => createEventsHandler(clients, names),
  // The trainer joins view-backed features point-in-time with its own DuckDB (opened on first use).
  train: (clients, names) => createTrainHandler(clients, names, { features: createFeatureStore(clients, names, new DuckDbFeatureEngine(clients.s3, names.bucket)) }),
  batch: (clients, names) => createBatchHandler(clients, names),
  // An entity's feature rows are erased as in Lambda (read and rewritten in JavaScript).
  erasure: (clients, names) => createErasureHandler(clients, names, { features: createFeatureEraser(clients, names) }),
};

/** The schedule-triggered functions `npm start` runs on a timer, built exactly as in Lambda. */
export const localScheduled: ScheduledFunctions = {
  judge: (clients, names) => createJudgeHandler(clients, names),
  retention: (clients, names) => createRetentionHandler(clients, names),
};
