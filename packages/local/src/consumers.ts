import { DuckDbFeatureEngine } from '@flywheel/aws/duckdb';
import {
  createBatchHandler,
  createErasureHandler,
  createEventsHandler,
  createFeatureEraser,
  createFeatureStore,
  createJudgeHandler,
  createMonitorHandler,
  createRetentionHandler,
  createTrainHandler,
} from '@flywheel/deploy';
import type { QueueConsumers, ScheduledFunctions } from './system.ts';

/** The queue-triggered functions `npm start` runs in-process, from the composition roots Lambda's entries use (functions/). */
export const localConsumers: QueueConsumers = {
  monitor: (clients, names, logger) => createMonitorHandler(clients, names, { logger }),
  events: (clients, names, logger) => createEventsHandler(clients, names, { logger }),
  // The trainer joins view-backed features point-in-time with its own DuckDB (opened on first use).
  train: (clients, names, logger) =>
    createTrainHandler(clients, names, { logger, features: createFeatureStore(clients, names, new DuckDbFeatureEngine(clients.s3, names.bucket)) }),
  batch: (clients, names, logger) => createBatchHandler(clients, names, { logger }),
  // An entity's feature rows are erased as in Lambda (read and rewritten in JavaScript).
  erasure: (clients, names, logger) => createErasureHandler(clients, names, { logger, features: createFeatureEraser(clients, names) }),
};

/** The schedule-triggered functions `npm start` runs on a timer, from the same composition roots. */
export const localScheduled: ScheduledFunctions = {
  judge: (clients, names, logger) => createJudgeHandler(clients, names, { logger }),
  retention: (clients, names) => createRetentionHandler(clients, names),
};
