import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LogArchive } from '@flywheel/core';
import { gzipAsync } from './gzip.ts';

/**
 * The archive object format: gzipped NDJSON, one record per line. Level 1: the archive is written
 * at traffic rate and read rarely; it already costs about as much CPU as parsing the records, and
 * higher levels gain little on JSON.
 */
export function encodeArchive(lines: readonly string[]): Promise<Uint8Array> {
  return gzipAsync(lines.join('\n') + '\n', { level: 1 });
}

/** The raw prediction log archive under `logs/` (keys defined by the monitor's `archiveKey`, format by `encodeArchive`). */
export class S3LogArchive implements LogArchive {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, lines: readonly string[]): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: await encodeArchive(lines), ContentType: 'application/x-ndjson', ContentEncoding: 'gzip' }));
  }
}
