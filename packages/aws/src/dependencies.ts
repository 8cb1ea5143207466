import type { ApiDependencies } from '@flywheel/api';
import { DynamoApiKeyStore } from './api-key-store.ts';
import type { AwsClients } from './clients.ts';
import type { ResourceNames } from './resources.ts';

/** The API's ports, implemented with the AWS SDK against the named resources. */
export function createApiDependencies(clients: AwsClients, names: ResourceNames): ApiDependencies {
  return {
    apiKeys: new DynamoApiKeyStore(clients.dynamodb, names.tables.registry),
  };
}
