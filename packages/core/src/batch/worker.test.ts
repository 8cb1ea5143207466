import { describe, expect, it } from 'vitest';
import type { BatchJob, BatchJobStatus } from './job.ts';
import type { BatchChunk, BatchMessage } from './messages.ts';
import type { BatchJobStore, BatchObjects, ChunkTally } from './ports.ts';
import { newBatchJob } from './submit.ts';
import { planBatchJob, scoreBatchChunk, type BatchWorkerDependencies } from './worker.ts';

/** The store's contract in memory: the same conditions the DynamoDB store writes with. */
class MemoryJobs implements BatchJobStore {
  readonly jobs = new Map<string, BatchJob & { assembler?: string }>();
  async create(job: BatchJob) {
    if (this.jobs.has(job.jobId)) return { job: this.jobs.get(job.jobId)!, created: false };
    this.jobs.set(job.jobId, job);
    return { job, created: true };
  }
  async get(jobId: string) {
    return this.jobs.get(jobId);
  }
  async list() {
    // The worker never lists; the DynamoDB store's listing is tested in test/batch.test.ts.
    return { jobs: [...this.jobs.values()] };
  }
  async start(jobId: string, plan: { totalRows: number; totalChunks: number }, at: string) {
    const job = this.jobs.get(jobId);
    if (!job || (job.status !== 'queued' && job.status !== 'running')) return undefined;
    const started = {
      ...job,
      status: 'running' as const,
      startedAt: job.startedAt ?? at,
      rows: { ...job.rows, total: plan.totalRows },
      chunks: { ...job.chunks, total: plan.totalChunks },
    };
    this.jobs.set(jobId, started);
    return started;
  }
  async countChunk(jobId: string, tally: ChunkTally) {
    const job = this.jobs.get(jobId)!;
    if (job.status !== 'running' || job.countedChunks?.includes(tally.index)) return { counted: false, job };
    const counted = {
      ...job,
      countedChunks: [...(job.countedChunks ?? []), tally.index],
      rows: { ...job.rows, done: job.rows.done + tally.rows, failed: job.rows.failed + tally.failed },
      chunks: { ...job.chunks, done: job.chunks.done + 1 },
    };
    this.jobs.set(jobId, counted);
    return { counted: true, job: counted };
  }
  async claimAssembly(jobId: string, claimant: string) {
    const job = this.jobs.get(jobId)!;
    if (job.status !== 'running' || (job.assembler !== undefined && job.assembler !== claimant)) return false;
    this.jobs.set(jobId, { ...job, assembler: claimant });
    return true;
  }
  async finish(jobId: string, from: readonly BatchJobStatus[], patch: { status: 'succeeded' | 'failed' | 'cancelled'; at: string; output?: BatchJob['output']; failure?: string }) {
    const job = this.jobs.get(jobId)!;
    if (!from.includes(job.status)) return false;
    this.jobs.set(jobId, {
      ...job,
      status: patch.status,
      finishedAt: patch.at,
      ...(patch.output ? { output: patch.output } : {}),
      ...(patch.failure ? { failure: patch.failure } : {}),
    });
    return true;
  }
}

function setup(input: string) {
  const jobs = new MemoryJobs();
  const parts = new Map<number, string>();
  const sent: BatchMessage[] = [];
  const assembled: number[] = [];
  let scored = 0;
  const objects: BatchObjects = {
    readInput: async () => new TextEncoder().encode(input),
    readRange: async (_key, chunk) => new TextDecoder().decode(new TextEncoder().encode(input).subarray(chunk.start, chunk.end)),
    // Parquet is read by the S3 objects (test/batch.test.ts); these jobs are NDJSON and CSV.
    readParquetRowGroups: async () => undefined,
    readParquetRows: async () => [],
    writeInput: async () => 'input',
    writePart: async (_jobId, index, body) => void parts.set(index, body),
    assemble: async (_jobId, count) => {
      assembled.push(count);
      return 'output';
    },
    readOutput: async () => undefined,
    writePlan: async () => undefined,
  };
  const deps: BatchWorkerDependencies = {
    jobs,
    objects,
    dispatcher: { send: async (messages) => void sent.push(...messages) },
    scorer: {
      features: async () => undefined,
      score: async (_job, _chunk, rows) => {
        scored += rows.length;
        return rows.map((row) => ('error' in row ? row : { row: row.row, predictionId: `p/${row.row}`, outputs: { y: (row.record as { x: number }).x * 2 } }));
      },
    },
  };
  const job = newBatchJob({
    jobId: 'bj-1',
    endpoint: 'e',
    target: { variant: 'main', model: 'm', version: 1 },
    format: 'ndjson',
    inputKey: 'input',
    rowsPerChunk: 2,
    requestHash: 'h',
    now: new Date(0),
  });
  void jobs.create(job);
  const chunks = () => sent.filter((m): m is Extract<BatchMessage, { kind: 'chunk' }> => m.kind === 'chunk');
  return { deps, jobs, parts, sent, chunks, assembled, scoredRows: () => scored };
}

describe('the batch worker', () => {
  const input = [1, 2, 3, 4, 5].map((x) => JSON.stringify({ x })).join('\n');

  it('plans, scores every chunk once and assembles once, whichever order and however often chunks arrive', async () => {
    const { deps, jobs, chunks, assembled, parts, scoredRows } = setup(input);
    await planBatchJob(deps, 'bj-1');
    const planned = chunks();
    expect(planned.map((c) => c.rows)).toEqual([2, 2, 1]);
    // Out of order, the middle one twice (a redelivery), then the first again after the job is done.
    for (const [chunk, messageId] of [
      [planned[2], 'm2'],
      [planned[1], 'm1'],
      [planned[1], 'm1'],
      [planned[0], 'm0'],
      [planned[0], 'm0'],
    ] as Array<[BatchChunk, string]>) {
      await scoreBatchChunk(deps, 'bj-1', chunk, messageId);
    }
    expect(jobs.jobs.get('bj-1')).toMatchObject({ status: 'succeeded', rows: { total: 5, done: 5, failed: 0 }, chunks: { total: 3, done: 3 }, output: { key: 'output' } });
    expect(assembled).toEqual([3]);
    expect(scoredRows()).toBe(5);
    expect([...parts.keys()].sort()).toEqual([0, 1, 2]);
  });

  it('lets only the message that completed the count assemble, and its redelivery resume it', async () => {
    const { deps, jobs, chunks, assembled } = setup(input);
    await planBatchJob(deps, 'bj-1');
    const [first, second, third] = chunks();
    await scoreBatchChunk(deps, 'bj-1', first, 'm0');
    await scoreBatchChunk(deps, 'bj-1', second, 'm1');
    // m2 completes the count and claims the assembly, then its worker dies before the output is written.
    const assemble = deps.objects.assemble;
    deps.objects.assemble = async () => {
      throw new Error('killed');
    };
    await expect(scoreBatchChunk(deps, 'bj-1', third, 'm2')).rejects.toThrow('killed');
    deps.objects.assemble = assemble;
    // Another chunk's late redelivery sees the full count but is not the assembler.
    await scoreBatchChunk(deps, 'bj-1', first, 'm0');
    expect(jobs.jobs.get('bj-1')!.status).toBe('running');
    await scoreBatchChunk(deps, 'bj-1', third, 'm2');
    expect(jobs.jobs.get('bj-1')!.status).toBe('succeeded');
    expect(assembled).toEqual([3]);
  });

  it('sends only the chunks not yet counted when a plan is delivered again, and skips the chunks of a cancelled job', async () => {
    const { deps, jobs, chunks, sent, scoredRows } = setup(input);
    await planBatchJob(deps, 'bj-1');
    await scoreBatchChunk(deps, 'bj-1', chunks()[0], 'm0');
    sent.length = 0;
    await planBatchJob(deps, 'bj-1');
    expect(chunks().map((c) => c.index)).toEqual([1, 2]);
    await jobs.finish('bj-1', ['running'], { status: 'cancelled', at: 'now' });
    await scoreBatchChunk(deps, 'bj-1', chunks()[0], 'm1');
    expect(scoredRows()).toBe(2);
    expect(jobs.jobs.get('bj-1')).toMatchObject({ status: 'cancelled', rows: { done: 2 } });
  });

  it('fails a job whose input is missing or not its format, saying why', async () => {
    const { deps, jobs } = setup('');
    deps.objects.readInput = async () => undefined;
    await planBatchJob(deps, 'bj-1');
    expect(jobs.jobs.get('bj-1')).toMatchObject({ status: 'failed', failure: 'nothing was uploaded at input' });
    const csv = setup('a,b\n1,"2\n');
    await csv.jobs.create({ ...csv.jobs.jobs.get('bj-1')!, jobId: 'bj-2', format: 'csv' });
    await planBatchJob(csv.deps, 'bj-2');
    expect(csv.jobs.jobs.get('bj-2')).toMatchObject({ status: 'failed', failure: 'the CSV input ends inside a quoted field' });
  });
});
