import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { ApiError, type FlywheelClient } from '../client.ts';
import type { CommandContext, ContextFor } from '../context.ts';
import { parseDuration } from '../duration.ts';
import { details, table } from '../output.ts';
import { uploadParts, type PartedUpload } from '../upload.ts';
import { positiveInt } from './endpoints.ts';

interface BatchJobView {
  jobId: string;
  endpoint: string;
  variant: string;
  model: string;
  version: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  rows: { total: number | null; done: number; failed: number };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  output: { key: string; format: string } | null;
  errors: Array<{ row: number; id?: string; error: string }>;
  failure?: string;
}

const finished = (job: BatchJobView) => job.status !== 'queued' && job.status !== 'running';
const jobPath = (jobId: string) => `/v1/batch-jobs/${encodeURIComponent(jobId)}`;

export function batchCommand(contextFor: ContextFor): Command {
  const batch = new Command('batch').description('batch predictions: score a file asynchronously, in parallel chunks, with progress');
  batch
    .command('submit')
    .description('upload an NDJSON, CSV or Parquet file (through presigned URLs, in parts past 8 MiB) and start a job scoring it; prints the job id')
    .argument('<endpoint>')
    .argument('<file>', 'NDJSON (one record per line), CSV with a header row, or Parquet')
    .addOption(new Option('--format <format>', "the file's format (default: from its extension)").choices(['ndjson', 'csv', 'parquet']))
    .option('--version <n>', "score with this version of the endpoint's model", positiveInt)
    .option('--variant <name>', "score with this variant's version (default: the largest weight)")
    .option('--id-field <field>', 'a field of each row to name it by in the output')
    .option('--idempotency-key <key>', 'submitting again with the same key and file returns the same job')
    .option('--wait', 'wait for the job with a progress bar (as `batch wait`)')
    .option('--output <path>', 'with --wait: write the output there (- for stdout)')
    .action(async (endpoint: string, file: string, options: SubmitOptions, command: Command) => {
      const context = contextFor(command);
      const format = options.format ?? (/\.(csv|parquet)$/.exec(file)?.[1] as SubmitOptions['format']) ?? 'ndjson';
      const bytes = await readFile(file);
      const upload = (
        await context.client.request<{ key: string; uploadUrl?: string } & Partial<PartedUpload & { uploadId: string }>>('/v1/batch-uploads', {
          json: { format, sizeBytes: bytes.length },
        })
      ).body;
      const input =
        upload.uploadId !== undefined ? { key: upload.key, uploadId: upload.uploadId, parts: await uploadInParts(context, bytes, upload as PartedUpload) } : { key: upload.key };
      if (upload.uploadUrl !== undefined) {
        context.out.note(`uploading ${bytes.length} bytes through a presigned URL…`);
        const put = await fetch(upload.uploadUrl, { method: 'PUT', body: bytes }).catch((error: Error) => {
          throw new ApiError(`the presigned upload failed: ${error.message}`, undefined);
        });
        if (!put.ok) throw new ApiError(`the presigned upload answered ${put.status}: ${(await put.text()).slice(0, 200)}`, put.status);
      }
      const body = {
        input,
        format,
        ...(options.version === undefined ? {} : { version: options.version }),
        ...(options.variant === undefined ? {} : { variant: options.variant }),
        ...(options.idField === undefined ? {} : { idField: options.idField }),
        ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
      };
      const { jobId } = (await context.client.request<{ jobId: string }>(`/v1/endpoints/${encodeURIComponent(endpoint)}/batch`, { json: body })).body;
      if (!options.wait) {
        context.out.result({ jobId }, () => jobId);
        return;
      }
      context.out.note(`job ${jobId}`);
      await waitAndReport(context, jobId, 1000, options.output);
    });
  batch
    .command('status')
    .description("a job's status, rows done and failed, and its first row errors")
    .argument('<jobId>')
    .action(async (jobId: string, _options: unknown, command: Command) => {
      const { client, out } = contextFor(command);
      const job = await client.get<BatchJobView>(jobPath(jobId));
      out.result(job, () => describe(job));
    });
  batch
    .command('list')
    .description('jobs newest first, with their progress')
    .option('--endpoint <name>', "only this endpoint's jobs")
    .addOption(new Option('--status <status>', 'only jobs in this status').choices(['queued', 'running', 'succeeded', 'failed', 'cancelled']))
    .option('--limit <n>', 'how many', positiveInt, 20)
    .action(async (options: { endpoint?: string; status?: string; limit: number }, command: Command) => {
      const { client, out } = contextFor(command);
      const page = await client.get<{ jobs: BatchJobView[]; next?: string }>('/v1/batch-jobs', {
        endpoint: options.endpoint,
        status: options.status,
        limit: String(options.limit),
      });
      out.result(page, () =>
        page.jobs.length
          ? table(
              ['job', 'endpoint', 'version', 'status', 'rows', 'failed', 'created', 'finished'],
              page.jobs.map((job) => [
                job.jobId,
                job.endpoint,
                `${job.model}@${job.version}`,
                job.status + (job.failure ? `: ${job.failure}` : ''),
                `${job.rows.done}/${job.rows.total ?? '?'}`,
                job.rows.failed,
                job.createdAt,
                job.finishedAt ?? '',
              ]),
            )
          : 'no batch jobs',
      );
    });
  batch
    .command('wait')
    .description('wait for a job with a progress bar; exits 1 unless it succeeded')
    .argument('<jobId>')
    .option('--interval <duration>', 'how often to poll', '1s')
    .option('--output <path>', 'once it succeeded, write the output there (- for stdout)')
    .action(async (jobId: string, options: { interval: string; output?: string }, command: Command) => {
      await waitAndReport(contextFor(command), jobId, parseDuration(options.interval, '--interval'), options.output);
    });
  return batch;
}

interface SubmitOptions {
  format?: 'ndjson' | 'csv' | 'parquet';
  version?: number;
  variant?: string;
  idField?: string;
  idempotencyKey?: string;
  wait?: boolean;
  output?: string;
}

/** An input past one part goes up part by part, each to its own presigned URL, with a progress bar. */
async function uploadInParts(context: CommandContext, bytes: Uint8Array, upload: PartedUpload) {
  const progress = context.out.progress(bytes.length, `uploading in ${upload.parts.length} parts`);
  try {
    return await uploadParts(bytes, upload, (sent) => progress.update(sent)).catch((error: Error) => {
      throw new ApiError(`the presigned upload failed: ${error.message}`, undefined);
    });
  } finally {
    progress.stop();
  }
}

async function waitAndReport(context: CommandContext, jobId: string, intervalMs: number, output: string | undefined): Promise<void> {
  const { client, out } = context;
  let job = await client.get<BatchJobView>(jobPath(jobId));
  let progress: ReturnType<typeof out.progress> | undefined;
  while (!finished(job)) {
    if (job.rows.total !== null) {
      progress ??= out.progress(job.rows.total, `job ${jobId} rows`);
      progress.update(job.rows.done);
    }
    await sleep(intervalMs);
    job = await client.get<BatchJobView>(jobPath(jobId));
  }
  progress?.update(job.rows.done);
  progress?.stop();
  if (job.status === 'succeeded' && output !== undefined) await download(client, jobId, output);
  if (output === '-') out.note(describe(job));
  else out.result(job, () => describe(job));
  if (job.status !== 'succeeded') throw new ApiError(`job ${jobId} ${job.status}${job.failure ? `: ${job.failure}` : ''}`, undefined);
}

async function download(client: FlywheelClient, jobId: string, output: string): Promise<void> {
  const response = await fetch(new URL(`${jobPath(jobId)}/output`, `${client.config.url}/`), { headers: { authorization: `Bearer ${client.config.key}` } });
  if (!response.ok || !response.body) throw new ApiError(`the output of job ${jobId} answered ${response.status}: ${(await response.text()).slice(0, 200)}`, response.status);
  const source = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
  await pipeline(source, output === '-' ? process.stdout : createWriteStream(output));
}

function describe(job: BatchJobView): string {
  const total = job.rows.total ?? '?';
  return details([
    ['job', job.jobId],
    ['status', job.status + (job.failure ? `: ${job.failure}` : '')],
    ['endpoint', `${job.endpoint} (${job.variant}: ${job.model} version ${job.version})`],
    ['rows', `${job.rows.done}/${total} done, ${job.rows.failed} failed`],
    ['started', job.startedAt ?? ''],
    ['finished', job.finishedAt ?? ''],
    ['output', job.output ? `GET /v1/batch-jobs/${job.jobId}/output (${job.output.key})` : ''],
    ...job.errors.map((e): [string, unknown] => [`row ${e.row}${e.id === undefined ? '' : ` (${e.id})`}`, e.error]),
  ]);
}
