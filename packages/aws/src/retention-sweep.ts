import { DeleteItemCommand, QueryCommand, type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { marshall } from '@aws-sdk/util-dynamodb';
import { bucket as bucketDefinition } from '@flywheel/infra';
import type { EndpointRecord } from '@flywheel/core';
import { forEachLimit } from '@flywheel/core';
import { feedbackKey, predictionKey } from './feedback-items.ts';

const DAY_MS = 86_400_000;

export interface RetentionSweepResult {
  /** Archive objects deleted, by endpoint. */
  archiveObjects: Record<string, number>;
  /** Prediction and feedback items deleted, by endpoint. */
  joinItems: Record<string, number>;
}

/**
 * Applies each endpoint's `retention` where it is shorter than the defaults: archive days older
 * than `logsDays` (a whole `date=` partition once every hour of it is past), and join items
 * whose prediction was made (or feedback last given) more than `joinedDays` ago. The defaults
 * themselves are the bucket's lifecycle rule and the items' TTL.
 */
export class RetentionSweeper {
  constructor(
    private readonly clients: { s3: S3Client; dynamodb: DynamoDBClient },
    private readonly names: { bucket: string; monitoringTable: string },
  ) {}

  async sweep(endpoints: readonly Pick<EndpointRecord, 'endpoint' | 'config'>[], now: Date): Promise<RetentionSweepResult> {
    const result: RetentionSweepResult = { archiveObjects: {}, joinItems: {} };
    for (const { endpoint, config } of endpoints) {
      const { logsDays, joinedDays } = config.retention ?? {};
      if (logsDays !== undefined) result.archiveObjects[endpoint] = await this.#sweepArchive(endpoint, new Date(now.getTime() - logsDays * DAY_MS));
      if (joinedDays !== undefined) result.joinItems[endpoint] = await this.#sweepJoin(endpoint, new Date(now.getTime() - joinedDays * DAY_MS));
    }
    return result;
  }

  async #sweepArchive(endpoint: string, cutoff: Date): Promise<number> {
    const prefix = `${bucketDefinition.prefixes.logs}endpoint=${encodeURIComponent(endpoint)}/`;
    let deleted = 0;
    for await (const datePrefix of this.#list(prefix, '/')) {
      const date = /date=(\d{4}-\d{2}-\d{2})\/$/.exec(datePrefix)?.[1];
      // A day goes once its last hour is past the cutoff.
      if (!date || Date.parse(`${date}T00:00:00.000Z`) + DAY_MS > cutoff.getTime()) continue;
      const keys: string[] = [];
      for await (const key of this.#list(datePrefix)) keys.push(key);
      for (let i = 0; i < keys.length; i += 1000) {
        const page = keys.slice(i, i + 1000);
        await this.clients.s3.send(new DeleteObjectsCommand({ Bucket: this.names.bucket, Delete: { Objects: page.map((Key) => ({ Key })), Quiet: true } }));
        deleted += page.length;
      }
    }
    return deleted;
  }

  /** Keys under `prefix`, or with `delimiter` the common prefixes one level down. */
  async *#list(prefix: string, delimiter?: string): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      const page = await this.clients.s3.send(new ListObjectsV2Command({ Bucket: this.names.bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token }));
      if (delimiter) for (const common of page.CommonPrefixes ?? []) yield common.Prefix!;
      else for (const object of page.Contents ?? []) yield object.Key!;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async #sweepJoin(endpoint: string, cutoff: Date): Promise<number> {
    const old = [...(await this.#olderThan(predictionKey(endpoint, '').pk, 'time', cutoff)), ...(await this.#olderThan(feedbackKey(endpoint, '').pk, 'givenAt', cutoff))];
    await forEachLimit(old.values(), 8, async (key) => {
      await this.clients.dynamodb.send(new DeleteItemCommand({ TableName: this.names.monitoringTable, Key: marshall(key) }));
    });
    return old.length;
  }

  async #olderThan(pk: string, timeAttribute: string, cutoff: Date): Promise<{ pk: string; sk: string }[]> {
    const keys: { pk: string; sk: string }[] = [];
    const input: QueryCommandInput = {
      TableName: this.names.monitoringTable,
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: '#time < :cutoff',
      ProjectionExpression: 'pk, sk',
      ExpressionAttributeNames: { '#time': timeAttribute },
      ExpressionAttributeValues: marshall({ ':pk': pk, ':cutoff': cutoff.toISOString() }),
    };
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const page = await this.clients.dynamodb.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) keys.push({ pk: item.pk.S!, sk: item.sk.S! });
      start = page.LastEvaluatedKey;
    } while (start);
    return keys;
  }
}
