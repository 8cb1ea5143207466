import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { BatchInputError, type BatchChunk, type ParquetRowGroup } from '@flywheel/core';
import { isMissing } from './batch-objects.ts';

/** The codecs hyparquet decodes without its optional compressors (pyarrow, DuckDB and Spark write snappy by default). */
const DECODED_CODECS = new Set(['UNCOMPRESSED', 'SNAPPY']);

/**
 * Parquet inputs read in place with hyparquet (pure JS, so it runs in the batch Lambda as it does
 * locally): the footer by a ranged GET at planning, then per chunk only its row groups' bytes.
 */
export class S3ParquetReader {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async rowGroups(key: string): Promise<readonly ParquetRowGroup[] | undefined> {
    const file = await this.#file(key);
    if (!file) return undefined;
    const metadata = await this.#metadata(key, file);
    for (const group of metadata.row_groups) {
      for (const column of group.columns) {
        const codec = column.meta_data?.codec;
        if (codec && !DECODED_CODECS.has(codec)) {
          throw new BatchInputError(`column ${column.meta_data!.path_in_schema.join('.')} of the Parquet input is ${codec}-compressed; write it uncompressed or with snappy`);
        }
      }
    }
    return metadata.row_groups.map((group) => {
      let start = Number.MAX_SAFE_INTEGER;
      let end = 0;
      for (const column of group.columns) {
        const meta = column.meta_data!;
        const first = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
        start = Math.min(start, first);
        end = Math.max(end, first + Number(meta.total_compressed_size));
      }
      return { rows: Number(group.num_rows), start: group.columns.length ? start : 0, end };
    });
  }

  async rows(key: string, chunk: Pick<BatchChunk, 'firstRow' | 'rows'>): Promise<Record<string, unknown>[]> {
    const file = await this.#file(key);
    if (!file) throw new Error(`the Parquet input ${key} is gone`);
    const metadata = await this.#metadata(key, file);
    return parquetReadObjects({ file, metadata, rowStart: chunk.firstRow, rowEnd: chunk.firstRow + chunk.rows, useOffsetIndex: true });
  }

  async #metadata(key: string, file: AsyncBuffer): Promise<FileMetaData> {
    try {
      return await parquetMetadataAsync(file);
    } catch (error) {
      throw new BatchInputError(`${key} is not a Parquet file this reader can decode: ${(error as Error).message}`);
    }
  }

  /** The object as hyparquet's AsyncBuffer: its length, and slices by ranged GET. */
  async #file(key: string): Promise<AsyncBuffer | undefined> {
    let byteLength: number;
    try {
      byteLength = (await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }))).ContentLength ?? 0;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    return {
      byteLength,
      slice: async (start, end = byteLength) => {
        if (end <= start) return new ArrayBuffer(0);
        const { Body } = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end - 1}` }));
        const bytes = await Body!.transformToByteArray();
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      },
    };
  }
}
