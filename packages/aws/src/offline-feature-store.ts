import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { bucket as bucketDefinition } from '@flywheel/infra';
import {
  nullValues,
  sha256Hex,
  type AsOfValues,
  type FeatureRow,
  type FeatureViewDefinition,
  type OfflineFeatureStore,
  type PointInTimeQuery,
  type SpineRow,
} from '@flywheel/core';
import { decodeFeatureRows, encodeFeatureRows, type StoredFeatureRow } from './feature-parquet.ts';

/** One answer of a point-in-time join: the values' JSON and their row's time, or nulls. */
export interface JoinedRow {
  featureEventTimeMs: number | null;
  featureValues: string | null;
}

/** A point-in-time join to run: core's query (its `spine` the id the engine stores `rows` under) and the rows. */
export interface FeatureJoinRequest extends Omit<PointInTimeQuery, 'spine'> {
  spine: readonly SpineRow[];
}

/**
 * What runs core's pointInTimeJoinSql over the stored files: DuckDB in process locally
 * (duckdb-feature-engine.ts), Athena in AWS (athena-feature-engine.ts). One answer per spine row, in order.
 */
export interface FeatureJoinEngine {
  join(request: FeatureJoinRequest): Promise<JoinedRow[]>;
}

const prefix = bucketDefinition.prefixes.features;

/**
 * Feature rows in S3 as Parquet, `features/view=<view>/date=<yyyy-mm-dd>/<sha256>.parquet` by
 * the rows' event date (Hive-style, the Glue table's partitions), written in JavaScript
 * (feature-parquet.ts) wherever this runs. Objects are content-addressed and never changed in
 * place: an ingest adds objects, an erasure writes the rewritten file before it deletes the old
 * one, so a reader (or a crash) sees at worst a row twice, which the join's de-duplication folds.
 */
export class S3ParquetFeatureFiles implements Pick<OfflineFeatureStore, 'append' | 'erase'> {
  constructor(
    protected readonly s3: S3Client,
    protected readonly bucket: string,
  ) {}

  async append(view: string, rows: readonly FeatureRow[], ingestedAtMs: number): Promise<void> {
    const byDate = new Map<string, StoredFeatureRow[]>();
    for (const row of rows) {
      const date = isoDate(row.eventTimeMs);
      const stored = byDate.get(date) ?? [];
      stored.push({ entity_id: row.entityId, event_time_ms: row.eventTimeMs, ingested_at_ms: ingestedAtMs, feature_values: JSON.stringify(row.values) });
      byDate.set(date, stored);
    }
    await Promise.all([...byDate].map(([date, stored]) => this.put(`${featureViewPrefix(view)}date=${date}/`, encodeFeatureRows(stored))));
  }

  /** Rewrites every file of the view that holds the entity's rows without them (read and written in JavaScript). */
  async erase(view: string, entityId: string): Promise<number> {
    let rewrittenFiles = 0;
    for (const key of await listFeatureObjects(this.s3, this.bucket, view)) {
      const rows = await decodeFeatureRows(await getObjectBytes(this.s3, this.bucket, key));
      const kept = rows.filter((row) => row.entity_id !== entityId);
      if (kept.length === rows.length) continue;
      if (kept.length) await this.put(key.slice(0, key.lastIndexOf('/') + 1), encodeFeatureRows(kept));
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      rewrittenFiles++;
    }
    return rewrittenFiles;
  }

  private async put(partition: string, bytes: Uint8Array): Promise<void> {
    const key = `${partition}${await sha256Hex(bytes)}.parquet`;
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: 'application/vnd.apache.parquet' }));
  }
}

/** The files and the point-in-time joins `engine` runs over them. */
export class S3ParquetFeatureStore extends S3ParquetFeatureFiles implements OfflineFeatureStore {
  constructor(
    s3: S3Client,
    bucket: string,
    private readonly engine: FeatureJoinEngine,
  ) {
    super(s3, bucket);
  }

  async historical(view: string, definition: FeatureViewDefinition, spine: readonly SpineRow[]): Promise<AsOfValues[]> {
    if (spine.length === 0) return [];
    let earliest = Infinity;
    let latest = -Infinity;
    for (const row of spine) {
      earliest = Math.min(earliest, row.eventTimeMs);
      latest = Math.max(latest, row.eventTimeMs);
    }
    const dates = { from: definition.ttlSeconds === undefined ? undefined : isoDate(earliest - definition.ttlSeconds * 1000), to: isoDate(latest) };
    const joined = await this.engine.join({ view, dates, spine, ttlSeconds: definition.ttlSeconds });
    return joined.map((row) => {
      const values = nullValues(definition);
      if (row.featureValues !== null) {
        const stored = JSON.parse(row.featureValues) as Record<string, AsOfValues['values'][string]>;
        for (const name in values) values[name] = stored[name] ?? null;
      }
      return { values, eventTimeMs: row.featureEventTimeMs };
    });
  }
}

/** Every Parquet object of the view. */
export async function listFeatureObjects(s3: S3Client, bucket: string, view: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: featureViewPrefix(view), ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key?.endsWith('.parquet')) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

export async function getObjectBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Body!.transformToByteArray();
}

export const featureViewPrefix = (view: string) => `${prefix}view=${view}/`;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** The `date=` partition of a key ('' when it has none). */
export const partitionDate = (key: string) => /\/date=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1] ?? '';
