import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { sha256Hex, type ArtifactStore, type StagedUpload, type UploadCompletion, type UploadedPart, type UploadRead } from '@flywheel/core';
import { bucket as bucketDefinition } from '@flywheel/infra';
import { PART_BYTES, completeStagedUpload, createStagedUpload, putInParts } from './artifact-multipart.ts';

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
      await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: bytes, ContentType: 'application/octet-stream', IfNoneMatch: '*' }));
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

  createUpload(model: string, options: { expiresInSeconds: number; sizeBytes?: number }): Promise<StagedUpload> {
    return createStagedUpload(this.s3, this.bucket, `${uploadPrefix}${model}/${crypto.randomUUID()}.onnx`, { ...options, contentType: 'application/octet-stream' });
  }

  async completeUpload(model: string, key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<UploadCompletion> {
    if (!uploadKeyPattern(model).test(key)) return { status: 'missing' };
    return completeStagedUpload(this.s3, this.bucket, key, uploadId, parts);
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

const uploadKeyPattern = (model: string) => new RegExp(`^${uploadPrefix}${model}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.onnx$`);

function isStatus(error: unknown, status: number): boolean {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === status;
}
