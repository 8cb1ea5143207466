import type { Feature } from '../registry/metadata.ts';
import { parseCsvRecord, splitCsvRecords } from './csv.ts';
import type { BatchTextFormat } from './job.ts';

/** One input row of a chunk: the record to score, or why it cannot be. */
export type BatchInputRow =
  | { readonly row: number; readonly id?: string; readonly record: Record<string, unknown> }
  | { readonly row: number; readonly id?: string; readonly error: string };

export interface ChunkRowsOptions {
  format: BatchTextFormat;
  /** Index of the chunk's first row in the input. */
  firstRow: number;
  header?: readonly string[];
  idField?: string;
  /** The scoring version's features: they type CSV cells (numbers for numerical features). */
  features?: readonly Feature[];
}

/**
 * The rows of one chunk's text, numbered from `firstRow` the way the planner counted them (blank
 * lines are not rows). A line that is not a JSON object, or a CSV record with the wrong number
 * of fields, is a row error; the chunk goes on.
 */
export function parseChunkRows(text: string, options: ChunkRowsOptions): BatchInputRow[] {
  const lines = options.format === 'csv' ? splitCsvRecords(text) : text.split('\n');
  const toRecord = options.format === 'csv' ? csvRecordReader(options) : ndjsonRecord;
  const rows: BatchInputRow[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const row = options.firstRow + rows.length;
    const parsed = toRecord(line);
    if (typeof parsed === 'string') {
      rows.push({ row, error: parsed });
      continue;
    }
    const { id, record } = takeId(parsed, options.idField);
    rows.push(id === undefined ? { row, record } : { row, id, record });
  }
  return rows;
}

function ndjsonRecord(line: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be a JSON object of feature values';
  return value as Record<string, unknown>;
}

function csvRecordReader(options: ChunkRowsOptions): (line: string) => Record<string, unknown> | string {
  const header = options.header ?? [];
  const byName = new Map((options.features ?? []).map((feature) => [feature.name, feature]));
  const typers = header.map((name) => cellTyper(byName.get(name)));
  return (line) => {
    const cells = parseCsvRecord(line);
    if (cells.length !== header.length) return `has ${cells.length} fields; the header has ${header.length}`;
    const record: Record<string, unknown> = {};
    cells.forEach((cell, i) => {
      // An empty cell is a missing value, as an absent field is in JSON.
      if (cell !== '') record[header[i]] = typers[i](cell);
    });
    return record;
  };
}

/** CSV has only text: a numerical feature's cell is a number, a categorical one a known category (string or number). */
export function cellTyper(feature: Feature | undefined): (cell: string) => unknown {
  if (!feature) return (cell) => cell;
  const asNumber = (cell: string) => {
    const n = Number(cell);
    return cell.trim() !== '' && Number.isFinite(n) ? n : cell;
  };
  if (feature.kind === 'numerical') return asNumber;
  const categories = feature.categories ?? [];
  if (categories.some((c) => typeof c === 'number') && !categories.some((c) => typeof c === 'string')) return asNumber;
  return (cell) => cell;
}

export function takeId(record: Record<string, unknown>, idField: string | undefined): { id?: string; record: Record<string, unknown> } {
  if (idField === undefined || !(idField in record)) return { record };
  const { [idField]: id, ...rest } = record;
  return { id: typeof id === 'string' ? id : JSON.stringify(id), record: rest };
}

/** One line of a job's output: the input row's index (and id), then its outputs or its error. */
export type BatchOutputRow =
  | { readonly row: number; readonly id?: string; readonly predictionId: string; readonly outputs: Record<string, unknown> }
  | { readonly row: number; readonly id?: string; readonly error: string };
