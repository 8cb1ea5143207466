import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { bucket as bucketDefinition } from '@flywheel/infra';
import { nullValues, sha256Hex, type AsOfValues, type FeatureRow, type FeatureViewDefinition, type OfflineFeatureStore, type SpineRow } from '@flywheel/core';

/** A row as the Parquet files hold it (the columns the Glue table declares). */
export interface StoredFeatureRow {
  entity_id: string;
  event_time_ms: number;
  ingested_at_ms: number;
  /** The feature values as JSON, so one table schema holds every view. */
  feature_values: string;
}

/** One answer of a point-in-time join: the values' JSON and their row's time, or nulls. */
export interface JoinedRow {
  featureEventTimeMs: number | null;
  featureValues: string | null;
}

/** What reads and writes the Parquet files: DuckDB locally (duckdb-feature-engine.ts). */
export interface FeatureParquetEngine {
  /** The rows as the bytes of one Parquet file. */
  write(rows: readonly StoredFeatureRow[]): Promise<Uint8Array>;
  /** The point-in-time join (core's pointInTimeJoinSql) over local Parquet files; one answer per spine row, in order. */
  join(files: readonly string[], spine: readonly SpineRow[], ttlSeconds: number | undefined): Promise<JoinedRow[]>;
  /** The file's rows without the entity's, as Parquet bytes; `unchanged` when it has none, `empty` when it has only those. */
  without(file: string, entityId: string): Promise<Uint8Array | 'unchanged' | 'empty'>;
}

const prefix = bucketDefinition.prefixes.features;

/**
 * Feature rows in S3 as Parquet, `features/view=<view>/date=<yyyy-mm-dd>/<sha256>.parquet` by
 * the rows' event date (Hive-style, the Glue table's partitions). Objects are content-addressed
 * and never changed in place: an ingest adds objects, an erasure writes the rewritten file before
 * it deletes the old one, so a reader (or a crash) sees at worst a row twice, which the join's
 * de-duplication folds. A query fetches the partitions it can need to a temporary directory
 * (no engine extension reaches S3 here) and runs there.
 */
export class S3ParquetFeatureStore implements OfflineFeatureStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly engine: FeatureParquetEngine,
  ) {}

  async append(view: string, rows: readonly FeatureRow[], ingestedAtMs: number): Promise<void> {
    const byDate = new Map<string, StoredFeatureRow[]>();
    for (const row of rows) {
      const date = isoDate(row.eventTimeMs);
      const stored = byDate.get(date) ?? [];
      stored.push({ entity_id: row.entityId, event_time_ms: row.eventTimeMs, ingested_at_ms: ingestedAtMs, feature_values: JSON.stringify(row.values) });
      byDate.set(date, stored);
    }
    for (const [date, stored] of byDate) await this.put(`${viewPrefix(view)}date=${date}/`, await this.engine.write(stored));
  }

  async historical(view: string, definition: FeatureViewDefinition, spine: readonly SpineRow[]): Promise<AsOfValues[]> {
    if (spine.length === 0) return [];
    let earliest = Infinity;
    let latest = -Infinity;
    for (const row of spine) {
      earliest = Math.min(earliest, row.eventTimeMs);
      latest = Math.max(latest, row.eventTimeMs);
    }
    // Partitions that can hold an answer: none after the latest asked-for day, none before the ttl reaches.
    const from = definition.ttlSeconds === undefined ? '' : isoDate(earliest - definition.ttlSeconds * 1000);
    const to = isoDate(latest);
    const keys = (await this.keys(view)).filter((key) => {
      const date = partitionDate(key);
      return date >= from && date <= to;
    });
    const joined = await this.withLocalCopies(keys, (files) => (files.length ? this.engine.join(files, spine, definition.ttlSeconds) : Promise.resolve(spine.map(() => ({ featureEventTimeMs: null, featureValues: null })))));
    return joined.map((row) => {
      const values = nullValues(definition);
      if (row.featureValues !== null) {
        const stored = JSON.parse(row.featureValues) as Record<string, AsOfValues['values'][string]>;
        for (const name in values) values[name] = stored[name] ?? null;
      }
      return { values, eventTimeMs: row.featureEventTimeMs };
    });
  }

  /** Rewrites every file of the view that holds the entity's rows without them. */
  async erase(view: string, entityId: string): Promise<number> {
    let rewrittenFiles = 0;
    for (const key of await this.keys(view)) {
      await this.withLocalCopies([key], async ([file]) => {
        const rewritten = await this.engine.without(file, entityId);
        if (rewritten === 'unchanged') return;
        if (rewritten !== 'empty') await this.put(key.slice(0, key.lastIndexOf('/') + 1), rewritten);
        await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
        rewrittenFiles++;
      });
    }
    return rewrittenFiles;
  }

  private async put(partition: string, bytes: Uint8Array): Promise<void> {
    const key = `${partition}${await sha256Hex(bytes)}.parquet`;
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: 'application/vnd.apache.parquet' }));
  }

  private async keys(view: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: viewPrefix(view), ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key?.endsWith('.parquet')) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  private async withLocalCopies<T>(keys: readonly string[], use: (files: string[]) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'flywheel-features-'));
    try {
      const files = await Promise.all(
        keys.map(async (key, i) => {
          const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
          const file = join(dir, `${i}.parquet`);
          await writeFile(file, await Body!.transformToByteArray());
          return file;
        }),
      );
      return await use(files);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

const viewPrefix = (view: string) => `${prefix}view=${view}/`;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const partitionDate = (key: string) => /\/date=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1] ?? '';
