import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { invalidParameter, type ArtifactFile, type TrackingArtifacts } from '@flywheel/core';

/** `s3://bucket/prefix` → its parts. */
function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw invalidParameter(`The artifact location '${uri}' is not an s3:// URI; only the Flywheel bucket's artifacts can be read.`);
  return { bucket: match[1]!, prefix: match[2]!.replace(/\/+$/, '') };
}

/** A relative artifact path that stays inside the run's root. */
function safePath(path: string): string {
  const clean = path.replace(/^\/+|\/+$/g, '');
  if (clean.split('/').some((part) => part === '..' || part === '.')) throw invalidParameter(`Invalid artifact path '${path}'.`);
  return clean;
}

/** Run artifacts in the stack's bucket, listed one directory level at a time as MLflow lists them. */
export class S3TrackingArtifacts implements TrackingArtifacts {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  private locate(rootUri: string, path: string): { prefix: string; relative: string } {
    const { bucket, prefix } = parseS3Uri(rootUri);
    if (bucket !== this.bucket) throw invalidParameter(`The artifacts at '${rootUri}' are outside the Flywheel bucket and cannot be read here.`);
    const relative = safePath(path);
    return { prefix, relative };
  }

  async list(rootUri: string, path: string, options: { pageToken?: string; maxResults: number }): Promise<{ files: ArtifactFile[]; nextPageToken?: string }> {
    const { prefix, relative } = this.locate(rootUri, path);
    const listed = `${prefix}/${relative ? `${relative}/` : ''}`;
    const page = await this.s3.send(
      new ListObjectsV2Command({ Bucket: this.bucket, Prefix: listed, Delimiter: '/', MaxKeys: options.maxResults, ContinuationToken: options.pageToken }),
    );
    const files: ArtifactFile[] = [
      ...(page.CommonPrefixes ?? []).map((common) => ({ path: common.Prefix!.slice(prefix.length + 1).replace(/\/$/, ''), isDir: true })),
      ...(page.Contents ?? []).map((object) => ({ path: object.Key!.slice(prefix.length + 1), isDir: false, fileSize: object.Size ?? 0 })),
    ];
    files.sort((a, b) => (a.path < b.path ? -1 : 1));
    return { files, ...(page.NextContinuationToken ? { nextPageToken: page.NextContinuationToken } : {}) };
  }

  async read(rootUri: string, path: string, maxBytes: number): Promise<Uint8Array | undefined> {
    const { prefix, relative } = this.locate(rootUri, path);
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: `${prefix}/${relative}` }));
      if ((object.ContentLength ?? 0) > maxBytes) throw invalidParameter(`The artifact '${path}' is larger than the ${maxBytes} bytes that can be read here.`);
      return await object.Body!.transformToByteArray();
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }
}
