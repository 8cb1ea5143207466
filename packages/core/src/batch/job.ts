/**
 * A batch prediction job: a dataset scored in chunks by one model version, assembled into one
 * output when its last chunk lands.
 *
 * queued → running → succeeded | failed; queued or running → cancelled. A job is `running` once
 * its input has been split into chunks; it stays running while chunks land, and the worker whose
 * chunk completes the count assembles the output and ends it.
 */
export const BATCH_JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type BatchJobStatus = (typeof BATCH_JOB_STATUSES)[number];

/** Formats a job reads (its output is NDJSON). Parquet comes only through an upload: inline records are JSON. */
export const BATCH_FORMATS = ['ndjson', 'csv', 'parquet'] as const;
export type BatchFormat = (typeof BATCH_FORMATS)[number];
/** The formats read as text, cut by byte range on row boundaries. */
export type BatchTextFormat = Exclude<BatchFormat, 'parquet'>;

/** How many row errors a job keeps on its record (every one is in the output). */
export const MAX_JOB_ERRORS = 10;

/** One row that could not be scored, as the job record shows the first few. */
export interface BatchRowError {
  readonly row: number;
  readonly id?: string;
  readonly error: string;
}

/** The model version the whole job is scored with, fixed when the job is submitted. */
export interface BatchTarget {
  readonly variant: string;
  readonly model: string;
  readonly version: number;
}

export interface BatchJob {
  readonly jobId: string;
  readonly endpoint: string;
  readonly target: BatchTarget;
  readonly status: BatchJobStatus;
  readonly format: BatchFormat;
  /** The bucket key of the input. */
  readonly inputKey: string;
  /** A field of each input row taken as its id (and left out of the features). */
  readonly idField?: string;
  readonly rowsPerChunk: number;
  readonly rows: { readonly total?: number; readonly done: number; readonly failed: number };
  readonly chunks: { readonly total?: number; readonly done: number };
  /** The indexes of the chunks counted so far (each is counted once). */
  readonly countedChunks?: readonly number[];
  /** The CSV header, read when the input is planned. */
  readonly header?: readonly string[];
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** Set once succeeded: where the assembled output is. */
  readonly output?: { readonly key: string; readonly format: 'ndjson' };
  /** The first few row errors, and why a failed job failed. */
  readonly errors: readonly BatchRowError[];
  readonly failure?: string;
  /** A hash of what was submitted, so a repeated idempotency key with another body is told apart. */
  readonly requestHash: string;
}

/** The statuses a job can still be cancelled from. */
export const CANCELLABLE: readonly BatchJobStatus[] = ['queued', 'running'];

export function isFinished(status: BatchJobStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

/** The job as `GET /v1/batch-jobs/{jobId}` shows it. */
export function batchJobView(job: BatchJob) {
  return {
    jobId: job.jobId,
    endpoint: job.endpoint,
    variant: job.target.variant,
    model: job.target.model,
    version: job.target.version,
    status: job.status,
    format: job.format,
    rows: { total: job.rows.total ?? null, done: job.rows.done, failed: job.rows.failed },
    chunks: { total: job.chunks.total ?? null, done: job.chunks.done },
    createdAt: job.createdAt,
    startedAt: job.startedAt ?? null,
    finishedAt: job.finishedAt ?? null,
    output: job.output ?? null,
    errors: job.errors.slice(0, MAX_JOB_ERRORS),
    ...(job.failure === undefined ? {} : { failure: job.failure }),
  };
}
