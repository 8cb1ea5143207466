/**
 * What the batch queue carries. A job's first message plans it (reads the input, cuts it into
 * chunks); each chunk message scores one byte range of the input. Both are idempotent: a plan
 * delivered twice cuts the same chunks, a chunk delivered twice is counted once.
 */
export interface BatchChunk {
  readonly index: number;
  /**
   * Byte range of the input, end exclusive: on row boundaries (NDJSON, CSV), or the span of the
   * row groups the chunk's rows are in (Parquet, whose reader goes by `firstRow` and `rows`).
   */
  readonly start: number;
  readonly end: number;
  /** Index of the chunk's first row in the input (0-based, header and blank lines not counted). */
  readonly firstRow: number;
  readonly rows: number;
}

export type BatchMessage = { readonly kind: 'plan'; readonly jobId: string } | ({ readonly kind: 'chunk'; readonly jobId: string } & BatchChunk);

export function parseBatchMessage(body: string): BatchMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (typeof m.jobId !== 'string' || m.jobId.length === 0) return undefined;
  if (m.kind === 'plan') return { kind: 'plan', jobId: m.jobId };
  const counts = [m.index, m.start, m.end, m.firstRow, m.rows];
  if (m.kind === 'chunk' && counts.every((n) => Number.isSafeInteger(n) && (n as number) >= 0) && (m.end as number) >= (m.start as number)) {
    return { kind: 'chunk', jobId: m.jobId, index: m.index as number, start: m.start as number, end: m.end as number, firstRow: m.firstRow as number, rows: m.rows as number };
  }
  return undefined;
}
