import type { Feature } from '../registry/metadata.ts';
import { MAX_JOB_ERRORS, type BatchJob, type BatchRowError, type BatchTarget } from './job.ts';
import type { BatchChunk } from './messages.ts';
import { parquetChunkRows, planRowGroupChunks } from './parquet.ts';
import { BatchInputError, planChunks, type BatchPlan } from './plan.ts';
import type { BatchDispatcher, BatchJobStore, BatchObjects } from './ports.ts';
import { parseChunkRows, type BatchInputRow, type BatchOutputRow } from './rows.ts';

/** Scores a chunk's rows with the job's version: the serving path, behind a port so core stays pure. */
export interface ChunkScorer {
  /** The features of the version, which type CSV cells. */
  features(target: BatchTarget): Promise<readonly Feature[] | undefined>;
  /** One output row per input row, in order; throws only when the chunk as a whole should be retried. */
  score(job: BatchJob, chunk: BatchChunk, rows: readonly BatchInputRow[]): Promise<BatchOutputRow[]>;
}

export interface BatchWorkerDependencies {
  jobs: BatchJobStore;
  objects: BatchObjects;
  dispatcher: BatchDispatcher;
  scorer: ChunkScorer;
  now?: () => Date;
}

const nowIso = (deps: { now?: () => Date }) => (deps.now?.() ?? new Date()).toISOString();
const isCounted = (job: BatchJob, index: number) => job.countedChunks?.includes(index) ?? false;

/**
 * A job's first step: read its input, cut it into chunks and send one message per chunk. Run again
 * (a redelivered plan message) it cuts the same chunks and sends them again, which the chunks'
 * once-only counting makes harmless. Input that cannot be read as its format fails the job.
 */
export async function planBatchJob(deps: BatchWorkerDependencies, jobId: string): Promise<void> {
  const job = await deps.jobs.get(jobId);
  if (!job || (job.status !== 'queued' && job.status !== 'running')) return;
  let plan: BatchPlan | undefined;
  try {
    plan = await planInput(deps, job);
  } catch (error) {
    if (!(error instanceof BatchInputError)) throw error;
    await failBatchJob(deps, jobId, error.message);
    return;
  }
  if (!plan) {
    await failBatchJob(deps, jobId, `nothing was uploaded at ${job.inputKey}`);
    return;
  }
  await deps.objects.writePlan(jobId, plan.chunks);
  const started = await deps.jobs.start(jobId, { totalRows: plan.totalRows, totalChunks: plan.chunks.length, header: plan.header }, nowIso(deps));
  if (!started || started.status !== 'running') return;
  if (plan.chunks.length === 0) {
    await assembleBatchJob(deps, started, `plan:${jobId}`);
    return;
  }
  // A plan delivered again (its first run died) sends only what is not counted yet.
  const pending = plan.chunks.filter((chunk) => !isCounted(started, chunk.index));
  await deps.dispatcher.send(pending.map((chunk) => ({ kind: 'chunk' as const, jobId, ...chunk })));
}

/** Text inputs are read whole and cut on row boundaries; a Parquet input's footer alone gives its rows. */
async function planInput(deps: BatchWorkerDependencies, job: BatchJob): Promise<BatchPlan | undefined> {
  if (job.format === 'parquet') {
    const groups = await deps.objects.readParquetRowGroups(job.inputKey);
    return groups && planRowGroupChunks(groups, job.rowsPerChunk);
  }
  const bytes = await deps.objects.readInput(job.inputKey);
  return bytes && planChunks(bytes, job.format, job.rowsPerChunk);
}

/**
 * Scores one chunk and counts it into its job, once. Its part is written before it is counted, so a
 * worker that dies in between leaves a part that the redelivered message writes again, with the
 * same rows. The chunk that completes the count assembles the job; `claimant` (the message id,
 * which SQS keeps across redeliveries) makes that one chunk's message the only assembler, and its
 * redelivery the one that resumes an interrupted assembly.
 */
export async function scoreBatchChunk(deps: BatchWorkerDependencies, jobId: string, chunk: BatchChunk, claimant: string): Promise<void> {
  const job = await deps.jobs.get(jobId);
  if (!job || job.status !== 'running') return;
  // A chunk counted already (its message came back after its worker died) is not scored again:
  // neither its rows nor their prediction logs are repeated. It may still owe the assembly.
  const after = isCounted(job, chunk.index) ? job : await scoreAndCount(deps, job, chunk);
  if (after && after.status === 'running' && after.chunks.total !== undefined && after.chunks.done >= after.chunks.total) {
    await assembleBatchJob(deps, after, claimant);
  }
}

async function scoreAndCount(deps: BatchWorkerDependencies, job: BatchJob, chunk: BatchChunk): Promise<BatchJob | undefined> {
  const rows = await readChunkRows(deps, job, chunk);
  if (rows.length !== chunk.rows) {
    await failBatchJob(deps, job.jobId, `chunk ${chunk.index} has ${rows.length} rows where ${chunk.rows} were planned; was the input changed after it was submitted?`);
    return undefined;
  }
  const output = await deps.scorer.score(job, chunk, rows);
  await deps.objects.writePart(job.jobId, chunk.index, output.map((row) => `${JSON.stringify(row)}\n`).join(''));
  const errors: BatchRowError[] = [];
  let failed = 0;
  for (const row of output) {
    if (!('error' in row)) continue;
    failed++;
    if (errors.length < MAX_JOB_ERRORS) errors.push(row.id === undefined ? { row: row.row, error: row.error } : { row: row.row, id: row.id, error: row.error });
  }
  return (await deps.jobs.countChunk(job.jobId, { index: chunk.index, rows: output.length, failed, errors })).job;
}

/** A chunk's rows: its byte range parsed as text, or its row range decoded from Parquet. CSV and Parquet cells are typed by the version's features. */
async function readChunkRows(deps: BatchWorkerDependencies, job: BatchJob, chunk: BatchChunk): Promise<BatchInputRow[]> {
  const features = job.format === 'ndjson' ? undefined : await deps.scorer.features(job.target);
  if (job.format === 'parquet') return parquetChunkRows(await deps.objects.readParquetRows(job.inputKey, chunk), { firstRow: chunk.firstRow, idField: job.idField, features });
  const text = await deps.objects.readRange(job.inputKey, chunk);
  return parseChunkRows(text, { format: job.format, firstRow: chunk.firstRow, header: job.header, idField: job.idField, features });
}

/** Joins the parts into the output and ends the job as succeeded, if `claimant` is its assembler. */
async function assembleBatchJob(deps: BatchWorkerDependencies, job: BatchJob, claimant: string): Promise<void> {
  if (!(await deps.jobs.claimAssembly(job.jobId, claimant))) return;
  const key = await deps.objects.assemble(job.jobId, job.chunks.total ?? 0);
  await deps.jobs.finish(job.jobId, ['running'], { status: 'succeeded', at: nowIso(deps), output: { key, format: 'ndjson' } });
}

/** Ends a queued or running job as failed, saying why (a cancelled or finished job stays as it is). */
export async function failBatchJob(deps: Pick<BatchWorkerDependencies, 'jobs' | 'now'>, jobId: string, failure: string): Promise<void> {
  await deps.jobs.finish(jobId, ['queued', 'running'], { status: 'failed', at: nowIso(deps), failure });
}
