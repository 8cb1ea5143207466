import type { BatchTextFormat } from './job.ts';
import type { BatchChunk } from './messages.ts';
import { parseCsvRecord } from './csv.ts';

export interface BatchPlan {
  readonly chunks: readonly BatchChunk[];
  readonly totalRows: number;
  /** The CSV header's column names. */
  readonly header?: readonly string[];
}

export class BatchInputError extends Error {
  override name = 'BatchInputError';
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;

/**
 * Cuts an input into chunks of `rowsPerChunk` rows on row boundaries, by byte range, so a worker
 * reads only its own range. A row is a line (NDJSON) or a CSV record, whose quoted fields may hold
 * newlines; blank lines are not rows. The CSV header is read here and left out of every range.
 * UTF-8 never puts a newline or quote byte inside a multi-byte character, so bytes are scanned as is.
 */
export function planChunks(bytes: Uint8Array, format: BatchTextFormat, rowsPerChunk: number): BatchPlan {
  const chunks: BatchChunk[] = [];
  let header: string[] | undefined;
  let totalRows = 0;
  let chunkStart = -1;
  let chunkRows = 0;
  let chunkFirstRow = 0;
  const quoted = format === 'csv';
  const closeChunk = (end: number) => {
    chunks.push({ index: chunks.length, start: chunkStart, end, firstRow: chunkFirstRow, rows: chunkRows });
    chunkStart = -1;
    chunkRows = 0;
  };
  let rowStart = 0;
  let inQuotes = false;
  for (let i = 0; i <= bytes.length; i++) {
    const atEnd = i === bytes.length;
    if (!atEnd) {
      const byte = bytes[i];
      if (quoted && byte === QUOTE) inQuotes = !inQuotes;
      if (byte !== NEWLINE || inQuotes) continue;
    }
    const rowEnd = atEnd ? i : i + 1;
    if (!isBlank(bytes, rowStart, rowEnd)) {
      if (format === 'csv' && header === undefined) {
        header = parseHeader(new TextDecoder().decode(bytes.subarray(rowStart, rowEnd)));
      } else {
        if (chunkStart < 0) {
          chunkStart = rowStart;
          chunkFirstRow = totalRows;
        }
        chunkRows++;
        totalRows++;
        if (chunkRows === rowsPerChunk) closeChunk(rowEnd);
      }
    }
    rowStart = rowEnd;
  }
  if (inQuotes) throw new BatchInputError('the CSV input ends inside a quoted field');
  if (chunkStart >= 0) closeChunk(bytes.length);
  if (format === 'csv' && header === undefined) throw new BatchInputError('the CSV input has no header row');
  return header ? { chunks, totalRows, header } : { chunks, totalRows };
}

function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== NEWLINE) return false;
  }
  return true;
}

function parseHeader(line: string): string[] {
  const names = parseCsvRecord(line.replace(/^\uFEFF/, '')).map((name) => name.trim());
  if (names.some((name) => name === '')) throw new BatchInputError('the CSV header has an empty column name');
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw new BatchInputError(`the CSV header names column ${repeated} twice`);
  return names;
}
