export { createAwsClients } from './clients.ts';
export type { AwsClients, AwsClientOptions, AwsEndpoints } from './clients.ts';
export { resourceNamesFromEnv, resourceNamesToEnv, MissingResourceError } from './resources.ts';
export type { ResourceNames } from './resources.ts';
export { DynamoApiKeyStore } from './api-key-store.ts';
export { createApiDependencies } from './dependencies.ts';
