export { startLocalSystem, StartupError } from './system.ts';
export type { LocalSystem, LocalSystemOptions, QueueConsumers } from './system.ts';
export { startEmbeddedAws } from './embedded-aws.ts';
export type { EmbeddedAws } from './embedded-aws.ts';
export { provisionStack } from './provision.ts';
export { SqsEventSource } from './event-source.ts';
export { seedDemo } from './demo.ts';
export type { DemoTarget } from './demo.ts';
export type { SqsBatchHandler, SqsEventSourceOptions } from './event-source.ts';
