import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ErasureQueue, ErasureWorkDependencies, FeatureEraser } from '@flywheel/core';
import type { AwsClients } from './clients.ts';
import { DynamoDatasetRegistry } from './dataset-registry-store.ts';
import { DynamoErasedSubjects, DynamoErasureStore } from './erasure-store.ts';
import { DynamoErasureJoinItems, DynamoErasureUnitClaims, S3ErasureArchive, S3ErasureDatasets } from './erasure-targets.ts';
import { LOCAL_UNIT_HASH_KEY, hmacUnitHasher } from './prediction-log-sink.ts';
import type { ResourceNames } from './resources.ts';

/** One message per erasure (or per continuation of a long one) on the erasures queue. */
export class SqsErasureQueue implements ErasureQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(erasureId: string): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ erasureId }) }));
  }
}

/** What `POST /v1/erasures` needs: the store, the queue, and the unit hash the serving path logs with. */
export function createErasureApiDependencies(clients: AwsClients, names: ResourceNames, env: Record<string, string | undefined> = process.env, features?: FeatureEraser) {
  return {
    store: new DynamoErasureStore(clients.dynamodb, names.tables.operations),
    queue: new SqsErasureQueue(clients.sqs, names.queues.erasures),
    // The sink's key and function (prediction-log-sink.ts), so the hash matches what was logged.
    hashUnit: hmacUnitHasher(env.FLYWHEEL_UNIT_HASH_KEY || LOCAL_UNIT_HASH_KEY),
    ...(features ? { features } : {}),
  };
}

/** What the erasure worker works on. */
export function createErasureWorkDependencies(clients: AwsClients, names: ResourceNames, features?: FeatureEraser): ErasureWorkDependencies {
  return {
    store: new DynamoErasureStore(clients.dynamodb, names.tables.operations),
    erased: new DynamoErasedSubjects(clients.dynamodb, names.tables.operations),
    archive: new S3ErasureArchive(clients.s3, names.bucket),
    joins: new DynamoErasureJoinItems(clients.dynamodb, names.tables.monitoring),
    unitClaims: new DynamoErasureUnitClaims(clients.dynamodb, names.tables.monitoring),
    datasets: new S3ErasureDatasets(clients.s3, names.bucket, new DynamoDatasetRegistry(clients.dynamodb, names.tables.registry)),
    ...(features ? { features } : {}),
  };
}
