import { spawn } from 'node:child_process';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsClients, type ResourceNames } from '@flywheel/aws';
import { provisionStack, startEmbeddedAws } from '@flywheel/local';
import { tempDataDir } from '@flywheel/testing/temp-dir';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(dataDir: string) {
  const aws = await startEmbeddedAws({ dataDir });
  const clients = createAwsClients({ endpoints: aws.endpoints });
  const names = await provisionStack(clients);
  cleanups.push(() => aws.stop());
  return { aws, clients, names };
}

async function expectWritten(dataDir: string, marker: string) {
  const { clients, names } = await start(dataDir);
  const item = await clients.dynamodb.send(new GetItemCommand({ TableName: names.tables.operations, Key: { pk: { S: 'probe' }, sk: { S: marker } } }));
  expect(item.Item?.sk.S).toBe(marker);
  const received = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: names.queues.events, WaitTimeSeconds: 1 }));
  expect(received.Messages?.map((m) => m.Body)).toEqual([marker]);
  const object = await clients.s3.send(new GetObjectCommand({ Bucket: names.bucket, Key: `probe/${marker}` }));
  expect(await object.Body!.transformToString()).toBe(marker);
}

async function write(clients: ReturnType<typeof createAwsClients>, names: ResourceNames, marker: string) {
  await clients.dynamodb.send(new PutItemCommand({ TableName: names.tables.operations, Item: { pk: { S: 'probe' }, sk: { S: marker } } }));
  await clients.sqs.send(new SendMessageCommand({ QueueUrl: names.queues.events, MessageBody: marker }));
  await clients.s3.send(new PutObjectCommand({ Bucket: names.bucket, Key: `probe/${marker}`, Body: marker }));
}

describe('the embedded stack keeps what it acknowledged', () => {
  it('after a clean stop and restart', async () => {
    const dir = await tempDataDir('restart');
    cleanups.push(dir.remove);
    const first = await start(dir.path);
    await write(first.clients, first.names, 'clean-stop');
    await cleanups.pop()!();
    await expectWritten(dir.path, 'clean-stop');
  });

  it('after kill -9', async () => {
    const dir = await tempDataDir('kill9');
    cleanups.push(dir.remove);
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--import', 'tsx', 'packages/testing/src/write-then-wait.ts', dir.path, 'killed'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('written') && resolve());
      child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    await expectWritten(dir.path, 'killed');
  });
});
