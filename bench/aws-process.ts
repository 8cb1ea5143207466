// The emulated AWS services (dynalite, fauxqs) in a process of their own, provisioned and with an
// admin key, as they are separate machines in AWS: work the emulators do (say, for the batches
// of the prediction log) is then not charged to the server being measured.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createAwsClients, DynamoApiKeyStore, endpointsToEnv, resourceNamesToEnv } from '@flywheel/aws';
import { generateApiKey } from '@flywheel/core';
import { provisionStack, startEmbeddedAws } from '@flywheel/local';
import { tempDataDir } from '@flywheel/testing/temp-dir';

export interface AwsProcess {
  /** What createAwsClients() and resourceNamesFromEnv() read to reach it. */
  env: Record<string, string>;
  adminKey: string;
  child: ChildProcess;
}

export function startAwsProcess(): Promise<AwsProcess> {
  const profile = process.env.CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROF}`, '--cpu-prof-name=emulators.cpuprofile'] : [];
  const child = spawn(process.execPath, [...profile, '--disable-warning=ExperimentalWarning', '--import', 'tsx', new URL(import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the AWS emulators exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{')) resolve({ ...(JSON.parse(line) as { env: Record<string, string>; adminKey: string }), child });
    });
  });
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const dir = await tempDataDir('bench-aws');
  const aws = await startEmbeddedAws({ dataDir: dir.path });
  const clients = createAwsClients({ endpoints: aws.endpoints });
  const names = await provisionStack(clients);
  const { key, record } = await generateApiKey('bench', ['admin']);
  await new DynamoApiKeyStore(clients.dynamodb, names.tables.registry).create(record);
  console.log(JSON.stringify({ env: { ...resourceNamesToEnv(names), ...endpointsToEnv(aws.endpoints) }, adminKey: key }));
  process.on(
    'SIGTERM',
    () =>
      void aws
        .stop()
        .then(() => dir.remove())
        .then(() => process.exit(0)),
  );
}
