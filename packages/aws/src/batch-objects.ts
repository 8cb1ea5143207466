import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  AbortMultipartUploadCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { BatchChunk, BatchFormat, BatchObjects, StagedUpload, UploadCompletion, UploadedPart } from '@flywheel/core';
import { bucket as bucketDefinition } from '@flywheel/infra';
import { completeStagedUpload, createStagedUpload } from './artifact-multipart.ts';
import { S3ParquetReader } from './batch-parquet.ts';

const { batch: batchPrefix, uploads: uploadPrefix } = bucketDefinition.prefixes;

/** S3's smallest multipart part (but the last). */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const UPLOAD_KEY = new RegExp(`^${uploadPrefix}batch/${UUID}\\.(ndjson|csv|parquet)$`);

const CONTENT_TYPES: Record<BatchFormat, string> = { ndjson: 'application/x-ndjson', csv: 'text/csv', parquet: 'application/vnd.apache.parquet' };

const partKey = (jobId: string, index: number) => `${batchPrefix}${jobId}/parts/${String(index).padStart(8, '0')}.ndjson`;
const outputKey = (jobId: string) => `${batchPrefix}${jobId}/output.ndjson`;

/**
 * A job's objects: `batch/<jobId>/input-<uuid>.ndjson` (records sent inline), `plan.json` (its
 * chunks), `parts/<chunk>.ndjson` (each chunk's output lines, overwritten whole by a redelivered
 * chunk) and `output.ndjson` (the parts joined in order). Large inputs arrive through a presigned
 * upload under `uploads/batch/<uuid>.<format>`: one PUT, or past 8 MiB a multipart upload.
 */
export class S3BatchObjects implements BatchObjects {
  readonly #parquet: S3ParquetReader;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {
    this.#parquet = new S3ParquetReader(s3, bucket);
  }

  /** A presigned upload as a model's is made: one PUT, or past one part (8 MiB) a multipart upload with a URL per part. */
  createUpload(format: BatchFormat, options: { expiresInSeconds: number; sizeBytes?: number }): Promise<StagedUpload> {
    return createStagedUpload(this.s3, this.bucket, `${uploadPrefix}batch/${crypto.randomUUID()}.${format}`, { ...options, contentType: CONTENT_TYPES[format] });
  }

  completeUpload(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<UploadCompletion> {
    if (!this.isUploadKey(key)) return Promise.resolve({ status: 'missing' });
    return completeStagedUpload(this.s3, this.bucket, key, uploadId, parts);
  }

  /** Only staged batch uploads may be named as input: a key must not reach models, logs or other jobs. */
  isUploadKey(key: string): boolean {
    return UPLOAD_KEY.test(key);
  }

  async hasObject(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async readInput(key: string): Promise<Uint8Array | undefined> {
    try {
      const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await Body!.transformToByteArray();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async readRange(key: string, chunk: Pick<BatchChunk, 'start' | 'end'>): Promise<string> {
    if (chunk.end <= chunk.start) return '';
    const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${chunk.start}-${chunk.end - 1}` }));
    return Body!.transformToString('utf8');
  }

  readParquetRowGroups(key: string) {
    return this.#parquet.rowGroups(key);
  }

  readParquetRows(key: string, chunk: Pick<BatchChunk, 'firstRow' | 'rows'>) {
    return this.#parquet.rows(key, chunk);
  }

  async writeInput(jobId: string, body: string): Promise<string> {
    const key = `${batchPrefix}${jobId}/input-${crypto.randomUUID()}.ndjson`;
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }));
    return key;
  }

  async writePlan(jobId: string, chunks: readonly BatchChunk[]): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: `${batchPrefix}${jobId}/plan.json`, Body: JSON.stringify(chunks), ContentType: 'application/json' }));
  }

  async writePart(jobId: string, index: number, body: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: partKey(jobId, index), Body: body, ContentType: 'application/x-ndjson' }));
  }

  /**
   * Joins the parts in chunk order. Small outputs are one PUT; larger ones a multipart upload
   * whose parts gather chunk parts to S3's 5 MiB minimum, so memory stays near that whatever the
   * job's size. Running it again writes the same object.
   */
  async assemble(jobId: string, count: number): Promise<string> {
    const Key = outputKey(jobId);
    let buffered: Uint8Array[] = [];
    let bufferedBytes = 0;
    let index = 0;
    const fill = async () => {
      while (index < count && bufferedBytes < MIN_PART_BYTES) {
        const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: partKey(jobId, index++) }));
        const bytes = await Body!.transformToByteArray();
        buffered.push(bytes);
        bufferedBytes += bytes.length;
      }
      const body = Buffer.concat(buffered);
      buffered = [];
      bufferedBytes = 0;
      return body;
    };
    const first = await fill();
    if (index >= count) {
      await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: first, ContentType: 'application/x-ndjson' }));
      return Key;
    }
    const { UploadId } = await this.s3.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key, ContentType: 'application/x-ndjson' }));
    try {
      const parts: Array<{ ETag: string; PartNumber: number }> = [];
      for (let body = first; ; body = await fill()) {
        const PartNumber = parts.length + 1;
        const { ETag } = await this.s3.send(new UploadPartCommand({ Bucket: this.bucket, Key, UploadId, PartNumber, Body: body }));
        parts.push({ ETag: ETag!, PartNumber });
        if (index >= count) break;
      }
      await this.s3.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (error) {
      await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId })).catch(() => undefined);
      throw error;
    }
    return Key;
  }

  async readOutput(key: string): Promise<ReadableStream<Uint8Array> | undefined> {
    try {
      const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return Body!.transformToWebStream();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }
}

export function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.$metadata?.httpStatusCode === 404 || e?.name === 'NoSuchKey';
}
