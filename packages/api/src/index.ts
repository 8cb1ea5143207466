export { createApp } from './app.ts';
export type { ApiDependencies, ApiOptions } from './app.ts';
export { Problem } from './problem.ts';
