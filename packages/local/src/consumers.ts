import type { QueueConsumers } from './system.ts';

/** The queue-triggered functions `npm start` runs in-process, built exactly as in Lambda. */
export const localConsumers: QueueConsumers = {};
