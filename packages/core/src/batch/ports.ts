import type { BatchJob, BatchRowError } from './job.ts';
import type { BatchChunk, BatchMessage } from './messages.ts';
import type { ParquetRowGroup } from './parquet.ts';

/** What one scored chunk adds to its job. */
export interface ChunkTally {
  readonly index: number;
  readonly rows: number;
  readonly failed: number;
  /** The chunk's first few row errors. */
  readonly errors: readonly BatchRowError[];
}

/** What `GET /v1/batch-jobs` filters by; newest first, `limit` at a time. */
export interface BatchJobQuery {
  readonly endpoint?: string;
  readonly status?: BatchJob['status'];
  readonly limit: number;
  /** The `next` of an earlier page; anything else is an InvalidCursorError. */
  readonly cursor?: string;
}

export interface BatchJobPage {
  readonly jobs: readonly BatchJob[];
  /** Pass as `cursor` for the next (older) page. */
  readonly next?: string;
}

/** Most jobs one page lists. */
export const MAX_BATCH_JOB_PAGE = 100;

/** The job records and their conditional transitions (DynamoDB in AWS and locally). */
export interface BatchJobStore {
  /** Creates the job unless one with its id exists; returns the stored one either way. */
  create(job: BatchJob): Promise<{ job: BatchJob; created: boolean }>;
  get(jobId: string): Promise<BatchJob | undefined>;
  /** Jobs newest first (by submission), filtered; the listing may lag a write by about a second. */
  list(query: BatchJobQuery): Promise<BatchJobPage>;
  /** queued → running with the plan's counts; a repeated plan of a running job leaves it be. */
  start(jobId: string, plan: { totalRows: number; totalChunks: number; header?: readonly string[] }, at: string): Promise<BatchJob | undefined>;
  /**
   * Counts a chunk into its running job, once: the same chunk counted again changes nothing and
   * returns `counted: false`. `job` is the job after the call.
   */
  countChunk(jobId: string, tally: ChunkTally): Promise<{ counted: boolean; job: BatchJob | undefined }>;
  /**
   * Makes `claimant` the job's one assembler, unless another is: the worker whose chunk completed
   * the count claims it with that chunk's message id, so that message's redelivery resumes it.
   */
  claimAssembly(jobId: string, claimant: string): Promise<boolean>;
  /** running (or queued, or both) → a final status; false when the job was no longer in one of `from`. */
  finish(
    jobId: string,
    from: readonly BatchJob['status'][],
    patch: { status: 'succeeded' | 'failed' | 'cancelled'; at: string; output?: BatchJob['output']; failure?: string },
  ): Promise<boolean>;
}

/** Where jobs' messages go: a queue scored by the batch function (SQS), or a Distributed Map. */
export interface BatchDispatcher {
  send(messages: readonly BatchMessage[]): Promise<void>;
}

/** Inputs, chunk parts and outputs in the bucket. */
export interface BatchObjects {
  /** A staged upload or an inline input; undefined when nothing is there. */
  readInput(key: string): Promise<Uint8Array | undefined>;
  readRange(key: string, chunk: Pick<BatchChunk, 'start' | 'end'>): Promise<string>;
  /**
   * A Parquet input's row groups, from its footer alone; undefined when nothing is there. Throws a
   * BatchInputError when the object is not Parquet this reader can decode.
   */
  readParquetRowGroups(key: string): Promise<readonly ParquetRowGroup[] | undefined>;
  /** A Parquet input's rows `firstRow` … `firstRow + rows - 1`, column name → decoded value, reading only the row groups they are in. */
  readParquetRows(key: string, chunk: Pick<BatchChunk, 'firstRow' | 'rows'>): Promise<Record<string, unknown>[]>;
  writeInput(jobId: string, body: string): Promise<string>;
  /** The chunk's output lines; written whole, so a redelivered chunk overwrites it with the same rows. */
  writePart(jobId: string, index: number, body: string): Promise<void>;
  /** The parts 0 … count-1, in order, into one output object; returns its key. */
  assemble(jobId: string, count: number): Promise<string>;
  /** The assembled output as a byte stream. */
  readOutput(key: string): Promise<ReadableStream<Uint8Array> | undefined>;
  /** The chunk plan, as a Distributed Map's ItemReader would read it. */
  writePlan(jobId: string, chunks: readonly BatchChunk[]): Promise<void>;
}
