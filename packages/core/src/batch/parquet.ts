import type { Feature } from '../registry/metadata.ts';
import type { BatchChunk } from './messages.ts';
import { cellTyper, takeId, type BatchInputRow } from './rows.ts';

/** One row group of a Parquet input, as its footer describes it. */
export interface ParquetRowGroup {
  readonly rows: number;
  /** Byte span of the group's column chunks, end exclusive. */
  readonly start: number;
  readonly end: number;
}

/**
 * Cuts a Parquet input into chunks of `rowsPerChunk` consecutive rows, across row-group
 * boundaries where groups are small. A chunk's byte span covers the groups its rows are in, so a
 * reader (or a Distributed Map's item) knows what it will fetch.
 */
export function planRowGroupChunks(groups: readonly ParquetRowGroup[], rowsPerChunk: number): { chunks: BatchChunk[]; totalRows: number } {
  const chunks: BatchChunk[] = [];
  let totalRows = 0;
  let open: { start: number; end: number; firstRow: number; rows: number } | undefined;
  for (const group of groups) {
    let left = group.rows;
    while (left > 0) {
      open ??= { start: group.start, end: group.end, firstRow: totalRows, rows: 0 };
      open.end = Math.max(open.end, group.end);
      const take = Math.min(left, rowsPerChunk - open.rows);
      open.rows += take;
      totalRows += take;
      left -= take;
      if (open.rows === rowsPerChunk) {
        chunks.push({ index: chunks.length, ...open });
        open = undefined;
      }
    }
  }
  if (open) chunks.push({ index: chunks.length, ...open });
  return { chunks, totalRows };
}

export interface ParquetRowsOptions {
  firstRow: number;
  idField?: string;
  features?: readonly Feature[];
}

/**
 * A chunk's Parquet rows (column → value, as the reader decoded them) as records to score.
 * Parquet cells are typed already; they are brought to what a JSON record would hold: a 64-bit
 * integer becomes a number, a date or timestamp its ISO string, a null a missing value (so a row
 * missing a feature is a row error, as an empty CSV cell is), and a cell is then typed by the
 * version's features as a CSV cell is (a number for a string-categorical feature becomes its text).
 */
export function parquetChunkRows(values: readonly Record<string, unknown>[], options: ParquetRowsOptions): BatchInputRow[] {
  const byName = new Map((options.features ?? []).map((feature) => [feature.name, feature]));
  return values.map((value, i) => {
    const row = options.firstRow + i;
    const record: Record<string, unknown> = {};
    for (const [name, raw] of Object.entries(value)) {
      const cell = jsonValue(raw);
      if (cell === undefined) continue;
      record[name] = typeCell(cell, byName.get(name));
    }
    const { id, record: features } = takeId(record, options.idField);
    return id === undefined ? { row, record: features } : { row, id, record: features };
  });
}

function jsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map((v) => jsonValue(v) ?? null);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v) ?? null]));
  return value;
}

function typeCell(cell: unknown, feature: Feature | undefined): unknown {
  if (!feature) return cell;
  if (typeof cell === 'string') return cellTyper(feature)(cell);
  const stringCategories = feature.kind === 'categorical' && (feature.categories ?? []).some((c) => typeof c === 'string');
  return stringCategories && typeof cell === 'number' ? String(cell) : cell;
}
