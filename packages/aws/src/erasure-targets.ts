// Where an erasure removes a subject's rows: the log archive, the feedback join's items, the datasets.
import { DeleteItemCommand, QueryCommand, type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { marshall } from '@aws-sdk/util-dynamodb';
import { bucket as bucketDefinition } from '@flywheel/infra';
import type { DatasetRegistry, ErasedRow, ErasureArchive, ErasureDatasets, ErasureJoinItems, ErasureMarker, ErasureUnitClaims } from '@flywheel/core';
import { forEachLimit } from '@flywheel/core';
import { encodeArchive } from './log-archive.ts';
import { DATASET_OBJECTS_PREFIX, datasetKey, sha256OfDatasetKey } from './dataset-store.ts';
import { batchGet, feedbackKey, predictionKey } from './feedback-items.ts';
import { gunzipAsync, gzipAsync } from './gzip.ts';

/** Keys under a prefix in key order, after `after`, ending with `suffix`. */
async function* keysUnder(s3: S3Client, bucket: string, prefix: string, suffix: string, after?: string): AsyncGenerator<string> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, ...(token || !after ? {} : { StartAfter: after }) }));
    for (const object of page.Contents ?? []) if (object.Key?.endsWith(suffix)) yield object.Key;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

async function gunzippedLines(s3: S3Client, bucket: string, key: string): Promise<string[] | undefined> {
  try {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!Body) return undefined;
    const text = (await gunzipAsync(await Body.transformToByteArray())).toString('utf8');
    return text.split('\n').filter((line) => line.trim() !== '');
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/**
 * The raw prediction-log archive (`logs/…/*.ndjson.gz`). An object is replaced by one PUT of its
 * new content: S3 swaps an object whole, so a crash leaves the old object or the new, never a
 * part; an object left with no rows is deleted.
 */
export class S3ErasureArchive implements ErasureArchive {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  keys(after?: string): AsyncIterable<string> {
    return keysUnder(this.s3, this.bucket, bucketDefinition.prefixes.logs, '.ndjson.gz', after);
  }

  async lines(key: string): Promise<string[]> {
    return (await gunzippedLines(this.s3, this.bucket, key)) ?? [];
  }

  async replace(key: string, lines: readonly string[]): Promise<void> {
    if (lines.length === 0) {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      return;
    }
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: await encodeArchive(lines), ContentType: 'application/x-ndjson', ContentEncoding: 'gzip' }));
  }
}

/** The feedback join's items of logged rows (`FEEDBACK#<endpoint>` and `PREDICTION#<endpoint>`, see feedback-items.ts). */
export class DynamoErasureJoinItems implements ErasureJoinItems {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async existing(rows: readonly ErasedRow[]): Promise<{ feedback: number; predictions: number }> {
    const [feedback, predictions] = await Promise.all([
      batchGet(
        this.dynamodb,
        this.table,
        rows.map((row) => feedbackKey(row.endpoint, row.rowId)),
      ),
      batchGet(
        this.dynamodb,
        this.table,
        rows.map((row) => predictionKey(row.endpoint, row.rowId)),
      ),
    ]);
    return { feedback: feedback.length, predictions: predictions.length };
  }

  async delete(rows: readonly ErasedRow[]): Promise<void> {
    const keys = rows.flatMap((row) => [feedbackKey(row.endpoint, row.rowId), predictionKey(row.endpoint, row.rowId)]);
    await forEachLimit(keys.values(), 8, async (key) => {
      await this.dynamodb.send(new DeleteItemCommand({ TableName: this.table, Key: marshall(key) }));
    });
  }
}

/**
 * The experiment tally's unit claims, `EXPERIMENTUNIT#<endpoint>` / `<config version>#<variant>#<unit hash>`
 * (experiment-store.ts). The hash ends the sort key, so the endpoint's claims are read (keys
 * only) and matched: one pass over them per erasure.
 */
export class DynamoErasureUnitClaims implements ErasureUnitClaims {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  async delete(endpoints: readonly string[], unitHash: string): Promise<number> {
    let deleted = 0;
    for (const endpoint of endpoints) {
      const input: QueryCommandInput = {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ProjectionExpression: 'pk, sk',
        ExpressionAttributeValues: marshall({ ':pk': `EXPERIMENTUNIT#${endpoint}` }),
      };
      let start: QueryCommandInput['ExclusiveStartKey'];
      do {
        const page = await this.dynamodb.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
        for (const item of page.Items ?? []) {
          // A filter cannot read the sort key: matched here.
          if (!item.sk.S!.endsWith(`#${unitHash}`)) continue;
          await this.dynamodb.send(new DeleteItemCommand({ TableName: this.table, Key: { pk: item.pk, sk: item.sk } }));
          deleted++;
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }
    return deleted;
  }
}

/** Training datasets (`datasets/<runId>/`): rewritten without erased rows, their manifests marked. */
/**
 * Dataset versions' stored bytes (`datasets/sha256/<hex>.ndjson.gz`), each named here by that
 * hash. A rewrite keeps the key: the version's sha256 stays that of the rows runs trained on, and
 * the registry marks every version of those bytes as having had rows erased.
 */
export class S3ErasureDatasets implements ErasureDatasets {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly registry: Pick<DatasetRegistry, 'markErased'>,
  ) {}

  async *datasetIds(after?: string): AsyncIterable<string> {
    for await (const key of keysUnder(this.s3, this.bucket, DATASET_OBJECTS_PREFIX, '.ndjson.gz', after === undefined ? undefined : datasetKey(after))) {
      yield sha256OfDatasetKey(key);
    }
  }

  lines(sha256: string): Promise<string[] | undefined> {
    return gunzippedLines(this.s3, this.bucket, datasetKey(sha256));
  }

  async replace(sha256: string, lines: readonly string[], marker: ErasureMarker): Promise<void> {
    // The rows go first: a crash before the marker leaves rows removed and the marker still to write (the retry writes it).
    const bytes = lines.map((line) => `${line}\n`).join('');
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: datasetKey(sha256), Body: await gzipAsync(bytes), ContentType: 'application/x-ndjson', ContentEncoding: 'gzip' }),
    );
    await this.registry.markErased(sha256, marker);
  }
}
