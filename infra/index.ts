export { tables } from './tables.ts';
export { queues, deadLetterQueueName } from './queues.ts';
export { bucket } from './bucket.ts';
export { functions } from './functions.ts';
export { featureCatalog } from './feature-catalog.ts';
export type * from './types.ts';
export { retention } from './retention.ts';
