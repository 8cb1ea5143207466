import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { S3Client } from '@aws-sdk/client-s3';
import { featureCatalog } from '@flywheel/infra';
import { pointInTimeJoinSql } from '@flywheel/core';
import { encodeSpine } from './feature-parquet.ts';
import { featureViewPrefix, getObjectBytes, listFeatureObjects, partitionDate, type FeatureJoinEngine, type FeatureJoinRequest, type JoinedRow } from './offline-feature-store.ts';

/**
 * DuckDB, in process, runs the point-in-time join locally: the partitions that can answer are
 * fetched from the bucket to a temporary directory laid out as the bucket is (`features/view=…/
 * date=…/`), the spine is written there as Athena's engine writes it (`…/spines/spine=<id>/`),
 * and two views named as the Glue tables read them Hive-style, so core's SQL runs here exactly as
 * on Athena. One in-memory database; each join works on its own connection, so its views are its own.
 */
export class DuckDbFeatureEngine implements FeatureJoinEngine {
  /**
   * Opened on first use, DuckDB's native library loaded then too (it is 70 MB): building the
   * engine, as `npm start` does, costs nothing until a feature view is joined.
   */
  #instance: Promise<DuckDBInstance> | undefined;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async join(request: FeatureJoinRequest): Promise<JoinedRow[]> {
    const { from, to } = request.dates;
    const keys = (await listFeatureObjects(this.s3, this.bucket, request.view)).filter((key) => {
      const date = partitionDate(key);
      return (from === undefined || date >= from) && date <= to;
    });
    if (keys.length === 0) return request.spine.map(() => ({ featureEventTimeMs: null, featureValues: null }));
    return this.session(async (connection, dir) => {
      await Promise.all(
        keys.map(async (key) => {
          const file = join(dir, key);
          await mkdir(dirname(file), { recursive: true });
          await writeFile(file, await getObjectBytes(this.s3, this.bucket, key));
        }),
      );
      const spineId = 'local';
      const spineFile = join(dir, featureCatalog.spines.prefix, `spine=${spineId}`, 'spine.parquet');
      await mkdir(dirname(spineFile), { recursive: true });
      await writeFile(spineFile, encodeSpine(request.spine));
      await connection.run(`CREATE TEMP VIEW ${featureCatalog.table.name} AS SELECT * FROM ${hiveParquet(join(dir, featureViewPrefix(request.view), '**', '*.parquet'))}`);
      await connection.run(`CREATE TEMP VIEW ${featureCatalog.spines.name} AS SELECT * FROM ${hiveParquet(join(dir, featureCatalog.spines.prefix, '**', '*.parquet'))}`);
      const sql = pointInTimeJoinSql({ rows: featureCatalog.table.name, spines: featureCatalog.spines.name }, { ...request, spine: spineId });
      const reader = await connection.runAndReadAll(sql);
      const columns = reader.getColumns();
      const times = columns[1];
      const values = columns[2];
      return times.map((time, i) => ({ featureEventTimeMs: time === null ? null : Number(time), featureValues: values[i] === null ? null : String(values[i]) }));
    });
  }

  async close(): Promise<void> {
    const instance = this.#instance;
    this.#instance = undefined;
    if (instance) (await instance).closeSync();
  }

  private async session<T>(work: (connection: DuckDBConnection, dir: string) => Promise<T>): Promise<T> {
    const instance = await (this.#instance ??= import('@duckdb/node-api').then(({ DuckDBInstance }) => DuckDBInstance.create(':memory:')));
    const connection = await instance.connect();
    const dir = await mkdtemp(join(tmpdir(), 'flywheel-duckdb-'));
    try {
      return await work(connection, dir);
    } finally {
      connection.closeSync();
      await rm(dir, { recursive: true, force: true });
    }
  }
}

// Partition values stay text (`date` is compared as yyyy-mm-dd text, as the Glue table declares it).
const hiveParquet = (glob: string) => `read_parquet(${quote(glob)}, hive_partitioning = true, hive_types_autocast = false)`;
const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
