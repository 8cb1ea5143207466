import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { startFauxqs } from 'fauxqs';
import type { AwsEndpoints } from '@flywheel/aws';
import { releaseInFlightMessages } from './release-in-flight.ts';

export interface EmbeddedAwsOptions {
  /** Everything is kept below this folder; state survives restarts (also after kill -9). */
  dataDir: string;
}

export interface EmbeddedAws {
  endpoints: AwsEndpoints;
  stop(): Promise<void>;
}

/**
 * DynamoDB (dynalite on LevelDB) and SQS + S3 (fauxqs on SQLite and plain files), in this
 * process, on free loopback ports. Both write through on every request, so what was
 * acknowledged is on disk before the SDK call returns.
 */
export async function startEmbeddedAws(options: EmbeddedAwsOptions): Promise<EmbeddedAws> {
  const dynamoDir = join(options.dataDir, 'dynamodb');
  const queueDir = join(options.dataDir, 'sqs');
  const objectDir = join(options.dataDir, 's3');
  await Promise.all([dynamoDir, queueDir, objectDir].map((dir) => mkdir(dir, { recursive: true })));

  const dynamo = dynalite({ path: dynamoDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(0, '127.0.0.1', () => resolve());
  });
  let fauxqs;
  try {
    // dynalite holds the data dir's lock by now: no other process is consuming these queues.
    releaseInFlightMessages(queueDir);
    fauxqs = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false, dataDir: queueDir, s3StorageDir: objectDir });
  } catch (error) {
    await closeServer(dynamo);
    throw error;
  }
  const dynamoUrl = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;
  return {
    endpoints: { dynamodb: dynamoUrl, sqs: fauxqs.address, s3: fauxqs.address },
    async stop() {
      await fauxqs.stop();
      await closeServer(dynamo);
    },
  };
}

function closeServer(server: { close(cb: (err?: Error) => void): unknown }): Promise<void> {
  return new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}
