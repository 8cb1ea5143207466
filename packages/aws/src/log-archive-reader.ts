import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { bucket as bucketDefinition } from '@flywheel/infra';
import { HOUR_MS, PredictionLogRecordSchema, unpackLogRecord, type PredictionLogRecord } from '@flywheel/core';
import { gunzipAsync } from './gzip.ts';

export interface ArchiveReadStats {
  objects: number;
  /** Lines that are not valid records (left out). */
  invalidLines: number;
}

/**
 * Reads the prediction-log archive the monitor writes, `logs/endpoint=<e>/date=<d>/hour=<h>/*.ndjson.gz`,
 * for one endpoint and a time range: pruned by the date and hour partitions, streamed object by
 * object so memory holds one object at a time.
 */
export class S3LogArchiveReader {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  /** Records of the endpoint logged in [from, to), in archive order (not sorted). */
  async *records(endpoint: string, range: { from: string; to: string }, stats: ArchiveReadStats = { objects: 0, invalidLines: 0 }): AsyncGenerator<PredictionLogRecord> {
    const from = Date.parse(range.from);
    const to = Date.parse(range.to);
    const firstHour = from - (from % HOUR_MS);
    for (const date of datesBetween(firstHour, to)) {
      const prefix = `${bucketDefinition.prefixes.logs}endpoint=${encodeURIComponent(endpoint)}/date=${date}/`;
      for await (const key of this.#keys(prefix)) {
        const hour = /\/hour=(\d{2})\//.exec(key)?.[1];
        const hourStart = Date.parse(`${date}T${hour ?? '00'}:00:00.000Z`);
        if (hour !== undefined && (hourStart + HOUR_MS <= from || hourStart >= to)) continue;
        stats.objects++;
        for (const line of await this.#lines(key)) {
          const record = parseLine(line);
          if (!record) {
            stats.invalidLines++;
            continue;
          }
          const time = Date.parse(record.time);
          if (time >= from && time < to) yield record;
        }
      }
    }
  }

  async *#keys(prefix: string): AsyncGenerator<string> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key?.endsWith('.ndjson.gz')) yield object.Key;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async #lines(key: string): Promise<string[]> {
    const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!Body) return [];
    const text = (await gunzipAsync(await Body.transformToByteArray())).toString('utf8');
    return text.split('\n').filter((line) => line.trim() !== '');
  }
}

function parseLine(line: string): PredictionLogRecord | undefined {
  try {
    const parsed = PredictionLogRecordSchema.safeParse(JSON.parse(line));
    // The archive keeps lines as the monitor received them: runs of numbers packed.
    return parsed.success && unpackLogRecord(parsed.data) === undefined ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function datesBetween(fromMs: number, toMs: number): string[] {
  const dates: string[] = [];
  for (let day = fromMs - (fromMs % 86_400_000); day < toMs; day += 86_400_000) dates.push(new Date(day).toISOString().slice(0, 10));
  return dates;
}
