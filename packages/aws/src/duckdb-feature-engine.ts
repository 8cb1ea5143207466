import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { pointInTimeJoinSql, type SpineRow } from '@flywheel/core';
import type { FeatureParquetEngine, JoinedRow, StoredFeatureRow } from './offline-feature-store.ts';

const ROWS_TABLE = '(entity_id VARCHAR, event_time_ms BIGINT, ingested_at_ms BIGINT, feature_values VARCHAR)';

/**
 * DuckDB, in process, over local Parquet files: it writes the files ingestion stores and runs the
 * point-in-time join's SQL (the statement Athena runs in AWS). One in-memory database; each call
 * works on its own connection, so its temporary tables are its own.
 */
export class DuckDbFeatureEngine implements FeatureParquetEngine {
  /**
   * Opened on first use, DuckDB's native library loaded then too (it is 70 MB): building the
   * engine, as `npm start` does, costs nothing until a feature view is written or joined.
   */
  #instance: Promise<DuckDBInstance> | undefined;

  write(rows: readonly StoredFeatureRow[]): Promise<Uint8Array> {
    return this.session(async (connection, dir) => {
      await connection.run(`CREATE TEMP TABLE feature_rows ${ROWS_TABLE}`);
      const appender = await connection.createAppender('feature_rows');
      for (const row of rows) {
        appender.appendVarchar(row.entity_id);
        appender.appendBigInt(BigInt(row.event_time_ms));
        appender.appendBigInt(BigInt(row.ingested_at_ms));
        appender.appendVarchar(row.feature_values);
        appender.endRow();
      }
      appender.closeSync();
      return this.copyToParquet(connection, 'SELECT * FROM feature_rows ORDER BY entity_id, event_time_ms', join(dir, 'rows.parquet'));
    });
  }

  join(files: readonly string[], spine: readonly SpineRow[], ttlSeconds: number | undefined): Promise<JoinedRow[]> {
    return this.session(async (connection) => {
      await connection.run('CREATE TEMP TABLE spine (row_id INTEGER, entity_id VARCHAR, event_time_ms BIGINT)');
      const appender = await connection.createAppender('spine');
      spine.forEach((row, i) => {
        appender.appendInteger(i);
        appender.appendVarchar(row.entityId);
        appender.appendBigInt(BigInt(row.eventTimeMs));
        appender.endRow();
      });
      appender.closeSync();
      const sql = pointInTimeJoinSql({ rows: `read_parquet(${fileList(files)})`, spine: 'spine' }, ttlSeconds);
      const reader = await connection.runAndReadAll(sql);
      const columns = reader.getColumns();
      const times = columns[1];
      const values = columns[2];
      return times.map((time, i) => ({ featureEventTimeMs: time === null ? null : Number(time), featureValues: values[i] === null ? null : String(values[i]) }));
    });
  }

  without(file: string, entityId: string): Promise<Uint8Array | 'unchanged' | 'empty'> {
    return this.session(async (connection, dir) => {
      const source = `read_parquet(${fileList([file])})`;
      const counted = await connection.runAndReadAll(`SELECT count(*) FILTER (WHERE entity_id = $entity), count(*) FROM ${source}`, { entity: entityId });
      const [matching, total] = counted.getRows()[0].map(Number);
      if (matching === 0) return 'unchanged';
      if (matching === total) return 'empty';
      const escaped = entityId.replaceAll("'", "''");
      return this.copyToParquet(connection, `SELECT * FROM ${source} WHERE entity_id <> '${escaped}' ORDER BY entity_id, event_time_ms`, join(dir, 'rewritten.parquet'));
    });
  }

  async close(): Promise<void> {
    const instance = this.#instance;
    this.#instance = undefined;
    if (instance) (await instance).closeSync();
  }

  private async copyToParquet(connection: DuckDBConnection, query: string, path: string): Promise<Uint8Array> {
    await connection.run(`COPY (${query}) TO ${quote(path)} (FORMAT parquet, COMPRESSION zstd)`);
    return new Uint8Array(await readFile(path));
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

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
const fileList = (files: readonly string[]) => `[${files.map(quote).join(', ')}]`;
