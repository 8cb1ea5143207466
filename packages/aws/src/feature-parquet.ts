import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { SpineRow } from '@flywheel/core';

/** A row as the Parquet files hold it (the columns the Glue table declares, infra/feature-catalog.ts). */
export interface StoredFeatureRow {
  entity_id: string;
  event_time_ms: number;
  ingested_at_ms: number;
  /** The feature values as JSON, so one table schema holds every view. */
  feature_values: string;
}

/**
 * The feature store's Parquet, written and read in plain JavaScript (hyparquet-writer, hyparquet)
 * so every process writes the same files, a Lambda included: no native engine is needed to ingest
 * or to rewrite a file without an entity's rows. DuckDB (locally) and Athena (in AWS) read them.
 * Rows are sorted by entity and time, as a reader scanning for an entity prefers.
 */
export function encodeFeatureRows(rows: readonly StoredFeatureRow[]): Uint8Array {
  const sorted = [...rows].sort((a, b) => (a.entity_id < b.entity_id ? -1 : a.entity_id > b.entity_id ? 1 : a.event_time_ms - b.event_time_ms));
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'entity_id', data: sorted.map((r) => r.entity_id), type: 'STRING', nullable: false },
        { name: 'event_time_ms', data: sorted.map((r) => BigInt(r.event_time_ms)), type: 'INT64', nullable: false },
        { name: 'ingested_at_ms', data: sorted.map((r) => BigInt(r.ingested_at_ms)), type: 'INT64', nullable: false },
        { name: 'feature_values', data: sorted.map((r) => r.feature_values), type: 'STRING', nullable: false },
      ],
    }),
  );
}

/** The rows of a file {@link encodeFeatureRows} wrote. */
export async function decodeFeatureRows(bytes: Uint8Array): Promise<StoredFeatureRow[]> {
  const objects = await parquetReadObjects({ file: arrayBufferOf(bytes) });
  return objects.map((o) => ({
    entity_id: String(o.entity_id),
    event_time_ms: Number(o.event_time_ms),
    ingested_at_ms: Number(o.ingested_at_ms),
    feature_values: String(o.feature_values),
  }));
}

/** A historical join's asked-for rows as the spine table's file (`row_id` is the position). */
export function encodeSpine(spine: readonly SpineRow[]): Uint8Array {
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'row_id', data: spine.map((_, i) => i), type: 'INT32', nullable: false },
        { name: 'entity_id', data: spine.map((r) => r.entityId), type: 'STRING', nullable: false },
        { name: 'event_time_ms', data: spine.map((r) => BigInt(r.eventTimeMs)), type: 'INT64', nullable: false },
      ],
    }),
  );
}

function arrayBufferOf(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : (bytes.slice().buffer as ArrayBuffer);
}
