// The embedded stack with its names and endpoints in process.env, so a function's exported
// `handler` builds itself exactly as in Lambda (createAwsClients() + resourceNamesFromEnv()).
import { generateApiKey } from '@flywheel/core';
import { createAwsClients, DynamoApiKeyStore, endpointsToEnv, resourceNamesToEnv, type AwsClients, type ResourceNames } from '@flywheel/aws';
import { provisionStack, startEmbeddedAws } from '@flywheel/local';
import { tempDataDir } from './temp-dir.ts';

export interface FunctionEnvironment {
  clients: AwsClients;
  names: ResourceNames;
  adminKey: string;
  stop(): Promise<void>;
}

export async function startFunctionEnvironment(): Promise<FunctionEnvironment> {
  const dir = await tempDataDir('function');
  const aws = await startEmbeddedAws({ dataDir: dir.path });
  const clients = createAwsClients({ endpoints: aws.endpoints });
  const names = await provisionStack(clients);
  const { key, record } = await generateApiKey('tests', ['admin']);
  await new DynamoApiKeyStore(clients.dynamodb, names.tables.registry).create(record);
  const env = { ...resourceNamesToEnv(names), ...endpointsToEnv(aws.endpoints) };
  const previous = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  return {
    clients,
    names,
    adminKey: key,
    async stop() {
      for (const [name, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      clients.dynamodb.destroy();
      clients.sqs.destroy();
      clients.s3.destroy();
      await aws.stop();
      await dir.remove();
    },
  };
}
