import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { StagedUpload, UploadCompletion, UploadedPart } from '@flywheel/core';

/**
 * Bytes per part of a multipart upload: S3 wants at least 5 MiB in every part but the last, and
 * the embedded S3 (fauxqs) refuses request bodies over 11 MiB, so one PutObject carries at most
 * this much and anything larger goes in parts.
 */
export const PART_BYTES = 8 * 1024 * 1024;
/** Parts sent at once. */
const PARTS_AT_ONCE = 4;

/** How many parts `sizeBytes` takes. */
export const partCount = (sizeBytes: number) => Math.max(1, Math.ceil(sizeBytes / PART_BYTES));

/**
 * Writes `bytes` to `key` in parts of PART_BYTES: create, upload the parts (a few at once),
 * complete. Any failure aborts the upload, so no parts are left behind, and is rethrown.
 */
export async function putInParts(s3: S3Client, bucket: string, key: string, bytes: Uint8Array, contentType: string): Promise<void> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }));
  try {
    const etags: string[] = [];
    const count = partCount(bytes.byteLength);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < count; i = next++) {
        const body = bytes.subarray(i * PART_BYTES, (i + 1) * PART_BYTES);
        const { ETag } = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body }));
        etags[i] = ETag!;
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARTS_AT_ONCE, count) }, worker));
    await complete(
      s3,
      bucket,
      key,
      UploadId!,
      etags.map((etag, i) => ({ partNumber: i + 1, etag })),
    );
  } catch (error) {
    await abort(s3, bucket, key, UploadId!);
    throw error;
  }
}

export function complete(s3: S3Client, bucket: string, key: string, uploadId: string, parts: readonly { partNumber: number; etag: string }[]) {
  return s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })) },
    }),
  );
}

/** Aborts the upload, deleting its parts; an upload already gone is fine. */
export async function abort(s3: S3Client, bucket: string, key: string, uploadId: string): Promise<void> {
  await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => undefined);
}

/**
 * A presigned upload to `key`: one PUT up to PART_BYTES (or when the size is not said), else a
 * multipart upload with a presigned PUT per part and a presigned DELETE that aborts it.
 */
export async function createStagedUpload(
  s3: S3Client,
  bucket: string,
  key: string,
  options: { expiresInSeconds: number; sizeBytes?: number; contentType: string },
): Promise<StagedUpload> {
  const expiresIn = options.expiresInSeconds;
  const expiresAt = new Date(Date.now() + expiresIn * 1000).toISOString();
  if (options.sizeBytes === undefined || options.sizeBytes <= PART_BYTES) {
    return { key, uploadUrl: await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key }), { expiresIn }), expiresAt };
  }
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: options.contentType }));
  const uploadId = UploadId!;
  const parts = await Promise.all(
    Array.from({ length: partCount(options.sizeBytes) }, async (_, i) => ({
      partNumber: i + 1,
      uploadUrl: await getSignedUrl(s3, new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: i + 1 }), { expiresIn }),
    })),
  );
  const abortUrl = await getSignedUrl(s3, new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), { expiresIn });
  return { key, expiresAt, uploadId, partBytes: PART_BYTES, parts, abortUrl };
}

/** Assembles a staged multipart upload from the parts its PUTs answered; one that cannot be assembled is aborted. */
export async function completeStagedUpload(s3: S3Client, bucket: string, key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<UploadCompletion> {
  try {
    await complete(s3, bucket, key, uploadId, parts);
    return { status: 'completed' };
  } catch (error) {
    const e = error as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    if ((e?.Code ?? e?.name) === 'NoSuchUpload') return { status: 'missing' };
    // Parts missing, mismatched, out of order or too small: nothing of this upload is kept.
    await abort(s3, bucket, key, uploadId);
    if (e?.$metadata?.httpStatusCode === 400) return { status: 'invalid', reason: e.message ?? 'the parts do not assemble' };
    throw error;
  }
}
