import { CreateTableCommand, DescribeTableCommand, ResourceInUseException, type AttributeDefinition, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { bucket, deadLetterQueueName, queues, tables, type QueueDefinition, type TableDefinition } from '@flywheel/infra';
import type { AwsClients, ResourceNames } from '@flywheel/aws';

export interface ProvisionOptions {
  /** Prefix of every physical name, like a stage. */
  prefix?: string;
  /** Overrides per queue, for tests that need short visibility timeouts or few receives. */
  queueOverrides?: Partial<Record<keyof typeof queues, Partial<QueueDefinition>>>;
}

/**
 * Creates every table, queue (with its dead-letter queue) and the bucket that infra/ declares.
 * Idempotent: on a restart it finds them and returns the same names.
 *
 * TTL is not set locally: dynalite does not implement UpdateTimeToLive. Readers filter expired
 * items anyway because DynamoDB deletes them lazily, and the local system deletes them with a
 * sweeper (ttl-sweeper.ts) from the TTL attributes infra/tables.ts declares.
 */
export async function provisionStack(clients: AwsClients, options: ProvisionOptions = {}): Promise<ResourceNames> {
  const prefix = options.prefix ?? 'flywheel';
  const tableNames = {} as ResourceNames['tables'];
  for (const [key, table] of Object.entries(tables)) {
    const name = `${prefix}-${table.name}`;
    await createTable(clients.dynamodb, name, table);
    tableNames[key as keyof typeof tables] = name;
  }
  const queueUrls = {} as ResourceNames['queues'];
  for (const [key, queue] of Object.entries(queues)) {
    const definition = { ...queue, ...options.queueOverrides?.[key as keyof typeof queues] };
    queueUrls[key as keyof typeof queues] = await createQueueWithDlq(clients.sqs, prefix, definition);
  }
  const bucketName = `${prefix}-${bucket.name}`;
  await createBucket(clients.s3, bucketName);
  return { tables: tableNames, queues: queueUrls, bucket: bucketName };
}

async function createTable(dynamodb: DynamoDBClient, name: string, table: TableDefinition): Promise<void> {
  const keyNames = new Set([table.hashKey, table.rangeKey, ...table.indexes.flatMap((i) => [i.hashKey, i.rangeKey])]);
  const attributes: AttributeDefinition[] = [...keyNames].map((AttributeName) => ({ AttributeName, AttributeType: 'S' }));
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributes,
        KeySchema: [
          { AttributeName: table.hashKey, KeyType: 'HASH' },
          { AttributeName: table.rangeKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: table.indexes.length
          ? table.indexes.map((index) => ({
              IndexName: index.name,
              KeySchema: [
                { AttributeName: index.hashKey, KeyType: 'HASH' },
                { AttributeName: index.rangeKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            }))
          : undefined,
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await dynamodb.send(new DescribeTableCommand({ TableName: name }));
}

async function createQueueWithDlq(sqs: SQSClient, prefix: string, queue: QueueDefinition): Promise<string> {
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${prefix}-${deadLetterQueueName(queue)}`,
      Attributes: { MessageRetentionPeriod: String(queue.deadLetterRetentionSeconds) },
    }),
  );
  const dlqArn = await queueArn(sqs, dlq.QueueUrl!);
  const created = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${prefix}-${queue.name}`,
      Attributes: {
        VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(queue.retentionSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: queue.maxReceiveCount }),
      },
    }),
  );
  return created.QueueUrl!;
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return Attributes!.QueueArn!;
}

async function createBucket(s3: S3Client, name: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
  } catch (error) {
    const code = (error as { name?: string }).name;
    if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
  }
}
