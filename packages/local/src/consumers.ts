import { createMonitorHandler } from '../../../functions/monitor.ts';
import { createEventsHandler } from '../../../functions/events.ts';
import { createJudgeHandler } from '../../../functions/judge.ts';
import { createTrainHandler } from '../../../functions/train.ts';
import { createErasureHandler } from '../../../functions/erasure.ts';
import { createRetentionHandler } from '../../../functions/retention.ts';
import type { QueueConsumers, ScheduledFunctions } from './system.ts';

/** The queue-triggered functions `npm start` runs in-process, built exactly as in Lambda. */
export const localConsumers: QueueConsumers = {
  monitor: (clients, names) => createMonitorHandler(clients, names),
  events: (clients, names) => createEventsHandler(clients, names),
  train: (clients, names) => createTrainHandler(clients, names),
  erasure: (clients, names) => createErasureHandler(clients, names),
};

/** The schedule-triggered functions `npm start` runs on a timer, built exactly as in Lambda. */
export const localScheduled: ScheduledFunctions = {
  judge: (clients, names) => createJudgeHandler(clients, names),
  retention: (clients, names) => createRetentionHandler(clients, names),
};
