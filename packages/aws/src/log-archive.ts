import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { encodeArchive, type LogArchive } from '@flywheel/monitor';

/** The raw prediction log archive under `logs/` (keys and format defined by the monitor). */
export class S3LogArchive implements LogArchive {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, lines: readonly string[]): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: await encodeArchive(lines), ContentType: 'application/x-ndjson', ContentEncoding: 'gzip' }),
    );
  }
}
