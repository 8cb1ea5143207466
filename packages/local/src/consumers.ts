import { createMonitorHandler } from '../../../functions/monitor.ts';
import { createEventsHandler } from '../../../functions/events.ts';
import { createJudgeHandler } from '../../../functions/judge.ts';
import { createTrainHandler } from '../../../functions/train.ts';
import { createFeatureStore } from '@flywheel/aws';
import { DuckDbFeatureEngine } from '@flywheel/aws/duckdb';
import { createBatchHandler } from '../../../functions/batch.ts';
import { createErasureHandler } from '../../../functions/erasure.ts';
import { createRetentionHandler } from '../../../functions/retention.ts';
import type { QueueConsumers, ScheduledFunctions } from './system.ts';

/** The queue-triggered functions `npm start` runs in-process, built exactly as in Lambda. */
export const localConsumers: QueueConsumers = {
  monitor: (clients, names, logger) => createMonitorHandler(clients, names, { logger }),
  events: (clients, names, logger) => createEventsHandler(clients, names, { logger }),
  // The trainer joins view-backed features point-in-time with its own DuckDB (opened on first use).
  train: (clients, names, logger) => createTrainHandler(clients, names, { logger, features: createFeatureStore(clients, names, new DuckDbFeatureEngine()) }),
  batch: (clients, names, logger) => createBatchHandler(clients, names, { logger }),
  // An entity's feature rows are erased through the same store (and a DuckDB of its own).
  erasure: (clients, names, logger) => createErasureHandler(clients, names, { logger, features: createFeatureStore(clients, names, new DuckDbFeatureEngine()) }),
};

/** The schedule-triggered functions `npm start` runs on a timer, built exactly as in Lambda. */
export const localScheduled: ScheduledFunctions = {
  judge: (clients, names, logger) => createJudgeHandler(clients, names, { logger }),
  retention: (clients, names) => createRetentionHandler(clients, names),
};
