import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { bucket as bucketLayout } from '@flywheel/infra';

const SPILL_PREFIX = bucketLayout.prefixes.spill;

/**
 * Log batches that could not reach the queue, kept in S3 under `spill/<date>/<batchId>.ndjson`
 * exactly as they would have been sent, so a replay sends the same body — same batch id, so the
 * monitor counts it once even if an earlier attempt did arrive after all.
 */
export class S3PredictionLogSpill {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async write(batchId: string, body: string, at: Date = new Date()): Promise<string> {
    const key = `${SPILL_PREFIX}${at.toISOString().slice(0, 10)}/${batchId}.ndjson`;
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }));
    return key;
  }

  /** Keys of spilled batches, oldest date first. */
  async *keys(): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: SPILL_PREFIX, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async read(key: string): Promise<string> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return object.Body!.transformToString('utf-8');
  }

  async remove(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

export interface ReplayResult {
  /** Batches re-sent and removed from the spill. */
  readonly replayed: number;
  /** Batches left in the spill for the next replay. */
  readonly failed: number;
}

/**
 * Re-sends every spilled batch and removes each one only after the queue has taken it; a batch
 * that fails stays for the next replay. Safe to run concurrently with itself or another process:
 * the worst case is a batch sent twice, which the monitor deduplicates by batch id.
 */
export async function replaySpilledLogs(spill: S3PredictionLogSpill, send: (body: string) => Promise<void>, options: { maxBatches?: number } = {}): Promise<ReplayResult> {
  let replayed = 0;
  let failed = 0;
  for await (const key of spill.keys()) {
    if (replayed + failed >= (options.maxBatches ?? Infinity)) break;
    try {
      await send(await spill.read(key));
      await spill.remove(key);
      replayed++;
    } catch (error) {
      // A key listed but already removed by a concurrent replay is not a failure worth retrying.
      if ((error as { name?: string }).name === 'NoSuchKey') continue;
      failed++;
    }
  }
  return { replayed, failed };
}
