import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { sha256Hex, type ArtifactStore, type StagedUpload, type UploadCompletion, type UploadedPart, type UploadRead } from '@flywheel/core';
import { bucket as bucketDefinition } from '@flywheel/infra';
import { PART_BYTES, abort, complete, partCount, putInParts } from './artifact-multipart.ts';

const { models: modelPrefix, uploads: uploadPrefix } = bucketDefinition.prefixes;

/** The bytes stored under a content address are not the bytes it names: they are never served. */
export class ArtifactIntegrityError extends Error {
  override name = 'ArtifactIntegrityError';
  constructor(key: string, actual: string) {
    super(`artifact ${key} does not hash to its name (sha256 ${actual}); it was changed after it was stored`);
  }
}

/**
 * Model artifacts in S3: `models/sha256/<hex>.onnx`, immutable, written once (a conditional
 * put, so concurrent writers of the same bytes cannot clobber each other; past PART_BYTES a
 * multipart upload, aborted on failure); and presigned uploads under
 * `uploads/<model>/<uuid>.onnx` — one PUT, or a multipart upload with a presigned URL per part
 * — which registration reads, validates and copies.
 */
export class S3ArtifactStore implements ArtifactStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async putModel(sha256: string, bytes: Uint8Array): Promise<void> {
    const Key = modelKey(sha256);
    if (await this.exists(Key)) return;
    // The same bytes from two writers assemble the same object: a multipart completion needs no condition.
    if (bytes.byteLength > PART_BYTES) return putInParts(this.s3, this.bucket, Key, bytes, 'application/octet-stream');
    try {
      await this.s3.send(
        new PutObjectCommand({ Bucket: this.bucket, Key, Body: bytes, ContentType: 'application/octet-stream', IfNoneMatch: '*' }),
      );
    } catch (error) {
      // Someone stored the same bytes in the meantime; content addressing makes theirs ours.
      if (!isStatus(error, 412) && !isStatus(error, 409)) throw error;
    }
  }

  async getModel(sha256: string): Promise<Uint8Array> {
    const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: modelKey(sha256) }));
    if (!Body) throw new Error(`artifact ${modelKey(sha256)} has no body`);
    const bytes = await Body.transformToByteArray();
    // Whoever can write the bucket could swap a model; content addressing lets every reader check.
    const actual = await sha256Hex(bytes);
    if (actual !== sha256) throw new ArtifactIntegrityError(modelKey(sha256), actual);
    return bytes;
  }

  async createUpload(model: string, options: { expiresInSeconds: number; sizeBytes?: number }): Promise<StagedUpload> {
    const key = `${uploadPrefix}${model}/${crypto.randomUUID()}.onnx`;
    const expiresIn = options.expiresInSeconds;
    const expiresAt = new Date(Date.now() + expiresIn * 1000).toISOString();
    if (options.sizeBytes === undefined || options.sizeBytes <= PART_BYTES) {
      return { key, uploadUrl: await getSignedUrl(this.s3, new PutObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn }), expiresAt };
    }
    const { UploadId } = await this.s3.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: 'application/octet-stream' }));
    const uploadId = UploadId!;
    const parts = await Promise.all(
      Array.from({ length: partCount(options.sizeBytes) }, async (_, i) => ({
        partNumber: i + 1,
        uploadUrl: await getSignedUrl(this.s3, new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: i + 1 }), { expiresIn }),
      })),
    );
    const abortUrl = await getSignedUrl(this.s3, new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }), { expiresIn });
    return { key, expiresAt, uploadId, partBytes: PART_BYTES, parts, abortUrl };
  }

  async completeUpload(model: string, key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<UploadCompletion> {
    if (!uploadKeyPattern(model).test(key)) return { status: 'missing' };
    try {
      await complete(this.s3, this.bucket, key, uploadId, parts);
      return { status: 'completed' };
    } catch (error) {
      if (errorName(error) === 'NoSuchUpload') return { status: 'missing' };
      // Parts missing, mismatched, out of order or too small: this upload cannot become an artifact. Nothing of it is kept.
      await abort(this.s3, this.bucket, key, uploadId);
      if (isStatus(error, 400)) return { status: 'invalid', reason: (error as Error).message };
      throw error;
    }
  }

  async readUpload(model: string, key: string, maxBytes: number): Promise<UploadRead> {
    // Only this model's staged uploads: a key must not reach baselines, logs or other models' files.
    if (!uploadKeyPattern(model).test(key)) return { status: 'missing' };
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      if ((head.ContentLength ?? 0) > maxBytes) return { status: 'too-large', sizeBytes: head.ContentLength ?? 0 };
      const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { status: 'found', bytes: await Body!.transformToByteArray() };
    } catch (error) {
      if (isStatus(error, 404)) return { status: 'missing' };
      throw error;
    }
  }

  async deleteUpload(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  private async exists(Key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return true;
    } catch (error) {
      if (isStatus(error, 404)) return false;
      throw error;
    }
  }
}

const modelKey = (sha256: string) => `${modelPrefix}${sha256}.onnx`;

const uploadKeyPattern = (model: string) =>
  new RegExp(`^${uploadPrefix}${model}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.onnx$`);

function errorName(error: unknown): string | undefined {
  return (error as { name?: string; Code?: string })?.Code ?? (error as { name?: string })?.name;
}

function isStatus(error: unknown, status: number): boolean {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === status;
}
