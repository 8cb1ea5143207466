export { createApiApp, createApp } from './app.ts';
export type { ApiDependencies, ApiOptions } from './app.ts';
export { Problem } from './problem.ts';
export { createServingApp } from './serving-app.ts';
export type { ServingApp, ServingAppDependencies, ServingAppOptions } from './serving-app.ts';
export type { ServingOptions } from './serving/serving.ts';
export type { RegistryRouteOptions } from './routes/models.ts';
