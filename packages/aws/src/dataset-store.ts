import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { bucket as bucketDefinition } from '@flywheel/infra';
import type { DatasetManifest } from '@flywheel/core';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * Training datasets in S3: `datasets/<runId>/dataset.ndjson.gz` (the canonical bytes the
 * manifest's sha256 is of, gzipped) and `datasets/<runId>/manifest.json`. Written once per
 * run; a retried run overwrites its own objects.
 */
export class S3DatasetStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(runId: string, canonicalBytes: Uint8Array, manifest: DatasetManifest): Promise<{ key: string }> {
    const key = datasetKey(runId);
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: await gzipAsync(canonicalBytes), ContentType: 'application/x-ndjson', ContentEncoding: 'gzip' }));
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: manifestKey(runId), Body: JSON.stringify(manifest), ContentType: 'application/json' }));
    return { key };
  }

  /** The run's dataset lines (parsed JSON), or undefined when the run recorded none. */
  async lines(runId: string): Promise<unknown[] | undefined> {
    try {
      const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: datasetKey(runId) }));
      if (!Body) return undefined;
      const text = (await gunzipAsync(await Body.transformToByteArray())).toString('utf8');
      return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown);
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}

export const datasetKey = (runId: string) => `${bucketDefinition.prefixes.datasets}${runId}/dataset.ndjson.gz`;
export const manifestKey = (runId: string) => `${bucketDefinition.prefixes.datasets}${runId}/manifest.json`;
