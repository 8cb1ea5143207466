import { createMonitorHandler } from '../../../functions/monitor.ts';
import { createEventsHandler } from '../../../functions/events.ts';
import { createTrainHandler } from '../../../functions/train.ts';
import type { QueueConsumers } from './system.ts';

/** The queue-triggered functions `npm start` runs in-process, built exactly as in Lambda. */
export const localConsumers: QueueConsumers = {
  monitor: (clients, names) => createMonitorHandler(clients, names),
  events: (clients, names) => createEventsHandler(clients, names),
  train: (clients, names) => createTrainHandler(clients, names),
};
