import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tempDataDir } from './temp-dir.ts';

/** A Parquet file written by DuckDB from a SELECT (snappy unless `options` says otherwise, row groups of 2,048 rows), as bytes. */
export async function parquetOf(select: string, options = ''): Promise<Uint8Array<ArrayBuffer>> {
  const dir = await tempDataDir('parquet');
  try {
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const path = join(dir.path, 'input.parquet');
    await connection.run(`COPY (${select}) TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE 2048${options})`);
    connection.closeSync();
    return new Uint8Array(await readFile(path));
  } finally {
    await dir.remove();
  }
}
