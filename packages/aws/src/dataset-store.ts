import { GetObjectCommand, HeadObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { bucket as bucketDefinition } from '@flywheel/infra';
import type { DatasetObjects } from '@flywheel/core';
import { gunzipAsync, gzipAsync } from './gzip.ts';

/**
 * Training datasets in S3, content-addressed: `datasets/sha256/<hex>.ndjson.gz`, the canonical
 * bytes a dataset version's sha256 is of, gzipped. Written once; the same bytes again are a no-op.
 */
export class S3DatasetStore implements DatasetObjects {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(sha256: string, canonicalBytes: Uint8Array): Promise<void> {
    const Key = datasetKey(sha256);
    if (await this.exists(Key)) return;
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: await gzipAsync(canonicalBytes), ContentType: 'application/x-ndjson', ContentEncoding: 'gzip' }));
  }

  async lines(sha256: string): Promise<unknown[] | undefined> {
    try {
      const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: datasetKey(sha256) }));
      if (!Body) return undefined;
      const text = (await gunzipAsync(await Body.transformToByteArray())).toString('utf8');
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as unknown);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async downloadUrl(sha256: string, options: { expiresInSeconds: number }): Promise<{ url: string; expiresAt: string }> {
    const url = await getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.bucket, Key: datasetKey(sha256) }), { expiresIn: options.expiresInSeconds });
    return { url, expiresAt: new Date(Date.now() + options.expiresInSeconds * 1000).toISOString() };
  }

  private async exists(Key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return error instanceof NoSuchKey || e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

export const DATASET_OBJECTS_PREFIX = `${bucketDefinition.prefixes.datasets}sha256/`;
const DATASET_OBJECT_SUFFIX = '.ndjson.gz';
export const datasetKey = (sha256: string) => `${DATASET_OBJECTS_PREFIX}${sha256}${DATASET_OBJECT_SUFFIX}`;
export const sha256OfDatasetKey = (key: string) => key.slice(DATASET_OBJECTS_PREFIX.length, -DATASET_OBJECT_SUFFIX.length);
