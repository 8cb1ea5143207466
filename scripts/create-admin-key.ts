// Creates an admin API key in a deployed stack's registry table and prints it, once: a deployment
// starts with no key, and the API accepts no call without one. Run with AWS credentials for the
// account, the home region, and the table's name (sst.config.ts prints it as `registryTable`):
//   FLYWHEEL_TABLE_REGISTRY=<registryTable> AWS_REGION=<home region> npm run admin-key -- "ops admin"
import { createAwsClients, DynamoApiKeyStore, resourceNamesFromEnv } from '@flywheel/aws';
import { generateApiKey } from '@flywheel/core';

const clients = createAwsClients();
const { key, record } = await generateApiKey(process.argv[2] ?? 'admin', ['admin']);
await new DynamoApiKeyStore(clients.dynamodb, resourceNamesFromEnv().tables.registry).create(record);
clients.dynamodb.destroy();
process.stdout.write(`${key}\n`);
