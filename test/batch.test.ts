import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SQSBatchResponse } from 'aws-lambda';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { DynamoWindowStore } from '@flywheel/aws';
import { decodePredictionLogBatch, isLogged, type PredictionLogRecord, silentLogger } from '@flywheel/core';
import { createBatchHandler, createMonitorHandler } from '@flywheel/deploy';
import { sqsEventFrom } from '@flywheel/testing/lambda-events';
import { lambdaContext, totalCount } from '@flywheel/testing/monitor-fixtures';
import { expectProblem, putEndpoint, registered, scaledModel } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';
import { parquetOf } from '@flywheel/testing/parquet';

// y = x * 2 on three named numerical columns; a record without `c` or with a string in it is refused.
const features = ['a', 'b', 'c'].map((name, index) => ({ name, kind: 'numerical', input: 'x', index }));
const quiet = { logger: silentLogger };

interface OutputRow {
  row: number;
  id?: string;
  predictionId?: string;
  outputs?: { y: number[] };
  error?: string;
}

async function waitForJob(
  system: TestSystem,
  jobId: string,
  until: (job: JobView) => boolean = (job) => job.status !== 'queued' && job.status !== 'running',
  timeoutMs = 30_000,
): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = (await (await system.api(`/v1/batch-jobs/${jobId}`)).json()) as JobView;
    if (until(job) || Date.now() > deadline) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface JobView {
  jobId: string;
  status: string;
  format?: string;
  rows: { total: number | null; done: number; failed: number };
  chunks: { total: number | null; done: number };
  output: { key: string; format: string } | null;
  errors: Array<{ row: number; id?: string; error: string }>;
  failure?: string;
  variant: string;
  version: number;
  endpoint: string;
  createdAt: string;
}

async function outputOf(system: TestSystem, jobId: string): Promise<OutputRow[]> {
  const response = await system.api(`/v1/batch-jobs/${jobId}/output`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/x-ndjson');
  return (await response.text())
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as OutputRow);
}

async function onlineOutputs(system: TestSystem, record: Record<string, unknown>): Promise<{ y: number[][] }> {
  const response = await system.api('/v1/endpoints/scaler/predict', { method: 'POST', json: { records: [record] } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { outputs: { y: number[][] } }).outputs;
}

async function drainLogMessages(system: TestSystem): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const { Messages = [] } = await system.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: system.names.queues.predictionLogs, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, AttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return messages;
    messages.push(...Messages);
  }
}

async function drainLogs(system: TestSystem): Promise<PredictionLogRecord[]> {
  return (await drainLogMessages(system)).flatMap((message) => decodePredictionLogBatch(message.Body!).records);
}

const submit = (system: TestSystem, body: unknown) => system.api('/v1/endpoints/scaler/batch', { method: 'POST', json: body });

async function uploaded(system: TestSystem, format: string, body: Uint8Array<ArrayBuffer> | string): Promise<string> {
  const upload = await system.api('/v1/batch-uploads', { method: 'POST', json: { format } });
  expect(upload.status).toBe(201);
  const { uploadUrl, key } = (await upload.json()) as { uploadUrl: string; key: string };
  expect((await fetch(uploadUrl, { method: 'PUT', body })).status).toBe(200);
  return key;
}

const withoutPredictionId = (rows: OutputRow[]) => rows.map(({ predictionId: _id, ...row }) => row);

describe('batch predictions', () => {
  let system: TestSystem;
  // While set, each chunk message's first delivery "crashes": the last chunk's before any work
  // (so the job is still running when the others come back), every other one after its work,
  // before its message is deleted. Every chunk is then delivered twice and must count once.
  let crashFirstDelivery = false;
  const deliveries = new Map<string, number>();
  let failFirstCount = false;
  const failedCounts = new Set<string>();

  beforeAll(async () => {
    system = await startTestSystem({
      queueOverrides: { batchChunks: { visibilityTimeoutSeconds: 1 } },
      consumers: {
        batch: (clients, names) => {
          // While set, a chunk's first count fails, as if its worker died between scoring it and
          // counting it (a fault the embedded DynamoDB cannot produce): it is scored again.
          const send = clients.dynamodb.send.bind(clients.dynamodb) as (command: unknown) => Promise<unknown>;
          const dynamodb = Object.assign(Object.create(clients.dynamodb), {
            send: (command: unknown) => {
              if (failFirstCount && command instanceof UpdateItemCommand && command.input.UpdateExpression?.startsWith('ADD doneChunks')) {
                const chunk = `${command.input.Key!.pk.S}#${command.input.ExpressionAttributeValues![':index'].N}`;
                if (!failedCounts.has(chunk)) {
                  failedCounts.add(chunk);
                  return Promise.reject(new Error('the worker died before counting its chunk'));
                }
              }
              return send(command);
            },
          });
          const handler = createBatchHandler({ ...clients, dynamodb }, names, quiet);
          return async (event, context) => {
            if (!crashFirstDelivery) return handler(event, context);
            const chunks = event.Records.filter((record) => record.body.includes('"kind":"chunk"'));
            const crashed = chunks.filter((record) => !deliveries.has(record.messageId));
            for (const record of chunks) deliveries.set(record.messageId, (deliveries.get(record.messageId) ?? 0) + 1);
            const beforeWork = new Set(crashed.filter((record) => record.body.includes('"index":3,')).map((record) => record.messageId));
            const worked = event.Records.filter((record) => !beforeWork.has(record.messageId));
            const result = (await handler({ Records: worked }, context)) as SQSBatchResponse;
            return { batchItemFailures: [...result.batchItemFailures, ...crashed.map((record) => ({ itemIdentifier: record.messageId }))] };
          };
        },
      },
    });
    const version = await registered(system, 'scaler', scaledModel(2), { features });
    expect((await putEndpoint(system, 'scaler', { variants: [{ name: 'main', model: 'scaler', version, weight: 100 }] })).status).toBe(201);
  }, 60_000);
  afterAll(() => system?.stop());

  it('scores inline NDJSON records in chunks, in order, each row as the online route answers it, bad rows reported per row', async () => {
    const records = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, a: i, b: i / 2, c: -i }));
    const bad = [
      { key: 'missing', a: 1, b: 2 },
      { key: 'typed', a: 1, b: 2, c: 'three' },
    ];
    const input = [...records.slice(0, 4), bad[0], ...records.slice(4, 8), bad[1], ...records.slice(8)];
    const response = await submit(system, { input: { records: input }, idField: 'key', rowsPerChunk: 3 });
    expect(response.status, await response.clone().text()).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    expect(response.headers.get('location')).toBe(`/v1/batch-jobs/${jobId}`);

    const job = await waitForJob(system, jobId);
    expect(job).toMatchObject({ status: 'succeeded', variant: 'main', version: 1, rows: { total: 12, done: 12, failed: 2 }, chunks: { total: 4, done: 4 } });
    expect(job.errors).toEqual([
      { row: 4, id: 'missing', error: expect.stringContaining('missing feature c') },
      { row: 9, id: 'typed', error: expect.stringContaining('expected a number') },
    ]);
    const output = await outputOf(system, jobId);
    expect(output.map((row) => row.row)).toEqual([...Array(12).keys()]);
    for (const [i, row] of output.entries()) {
      expect(row.id).toBe(input[i].key);
      if (i === 4 || i === 9) {
        expect(row.error).toBeDefined();
        continue;
      }
      const { key: _key, ...record } = input[i];
      expect(row.outputs!.y).toEqual((await onlineOutputs(system, record)).y[0]);
    }
    expect((await expectProblem(await system.api(`/v1/batch-jobs/${jobId}/cancel`, { method: 'POST' }), 409)).detail).toMatch(/succeeded/);
  });

  it("reads a CSV input put through a presigned upload, typing cells by the version's features", async () => {
    const upload = await system.api('/v1/batch-uploads', { method: 'POST', json: { format: 'csv' } });
    expect(upload.status).toBe(201);
    const { uploadUrl, key } = (await upload.json()) as { uploadUrl: string; key: string };
    const csv = 'a,b,c,note\n1,2,3,"plain"\n\n4.5,-1,0,"two\nlines, and ""quotes"""\n7,8,,empty c\n';
    expect((await fetch(uploadUrl, { method: 'PUT', body: csv })).status).toBe(200);
    const response = await submit(system, { input: { key }, rowsPerChunk: 2 });
    expect(response.status, await response.clone().text()).toBe(202);
    const job = await waitForJob(system, ((await response.json()) as { jobId: string }).jobId);
    expect(job).toMatchObject({ status: 'succeeded', rows: { total: 3, done: 3, failed: 1 } });
    const output = await outputOf(system, job.jobId);
    expect(output[0].outputs!.y).toEqual((await onlineOutputs(system, { a: 1, b: 2, c: 3 })).y[0]);
    expect(output[1].outputs!.y).toEqual((await onlineOutputs(system, { a: 4.5, b: -1, c: 0 })).y[0]);
    expect(output[2]).toMatchObject({ row: 2, error: expect.stringContaining('missing feature c') });
  });

  it("reads a Parquet upload by row ranges across row groups; its output equals the NDJSON job's row for row", async () => {
    // 5,000 rows in three row groups (2,048, 2,048, 904), chunks of 1,500 rows spanning them; a
    // BIGINT, two DOUBLEs with nulls in c every 700th row, a string id and a column that is no feature.
    const rows = 5_000;
    const parquet = await parquetOf(
      `SELECT 'k' || i AS key, i::BIGINT AS a, (i / 4.0)::DOUBLE AS b, CASE WHEN i % 700 = 3 THEN NULL ELSE (-i)::DOUBLE END AS c, 'note ' || i AS note FROM range(${rows}) t(i) ORDER BY i`,
    );
    const records = Array.from({ length: rows }, (_, i) => ({ key: `k${i}`, a: i, b: i / 4, ...(i % 700 === 3 ? {} : { c: -i }), note: `note ${i}` }));
    const fromParquet = await submit(system, { input: { key: await uploaded(system, 'parquet', parquet) }, idField: 'key', rowsPerChunk: 1_500 });
    expect(fromParquet.status, await fromParquet.clone().text()).toBe(202);
    const fromNdjson = await submit(system, { input: { records }, idField: 'key', rowsPerChunk: 1_500 });
    const [parquetJob, ndjsonJob] = await Promise.all([fromParquet, fromNdjson].map(async (r) => waitForJob(system, ((await r.json()) as { jobId: string }).jobId)));
    const failed = records.filter((r) => !('c' in r)).length;
    expect(parquetJob).toMatchObject({ status: 'succeeded', format: 'parquet', rows: { total: rows, done: rows, failed }, chunks: { total: 4, done: 4 } });
    expect(ndjsonJob).toMatchObject({ status: 'succeeded', rows: { total: rows, done: rows, failed } });
    const output = await outputOf(system, parquetJob.jobId);
    expect(withoutPredictionId(output)).toEqual(withoutPredictionId(await outputOf(system, ndjsonJob.jobId)));
    expect(output[3]).toMatchObject({ row: 3, id: 'k3', error: expect.stringContaining('missing feature c') });
    expect(output[4_999]).toMatchObject({ row: 4_999, id: 'k4999', outputs: { y: [4_999 * 2, (4_999 / 4) * 2, -4_999 * 2] } });
    expect(output[2_048].outputs!.y).toEqual((await onlineOutputs(system, { a: 2_048, b: 512, c: -2_048 })).y[0]);
  });

  it('fails a Parquet job whose upload is not Parquet it can read, saying why', async () => {
    const notParquet = await submit(system, { input: { key: await uploaded(system, 'parquet', '{"a":1,"b":2,"c":3}\n') } });
    expect(await waitForJob(system, ((await notParquet.json()) as { jobId: string }).jobId)).toMatchObject({
      status: 'failed',
      failure: expect.stringContaining('not a Parquet file'),
    });
    const zstd = await submit(system, {
      input: { key: await uploaded(system, 'parquet', await parquetOf('SELECT 1.0::DOUBLE AS a, 2.0::DOUBLE AS b, 3.0::DOUBLE AS c', ', COMPRESSION zstd')) },
    });
    expect(await waitForJob(system, ((await zstd.json()) as { jobId: string }).jobId)).toMatchObject({
      status: 'failed',
      failure: expect.stringMatching(/ZSTD-compressed; write it uncompressed or with snappy/),
    });
  });

  it('counts a redelivered chunk once: a worker that dies after its work leaves every row exactly once', async () => {
    crashFirstDelivery = true;
    try {
      const records = Array.from({ length: 20 }, (_, i) => ({ a: i, b: 1, c: 2 }));
      const { jobId } = (await (await submit(system, { input: { records }, rowsPerChunk: 5 })).json()) as { jobId: string };
      const succeeded = { status: 'succeeded', rows: { total: 20, done: 20, failed: 0 }, chunks: { total: 4, done: 4 } };
      expect(await waitForJob(system, jobId)).toMatchObject(succeeded);
      // Every chunk came back after its crash; none was counted twice.
      const deadline = Date.now() + 15_000;
      while ((deliveries.size < 4 || [...deliveries.values()].some((n) => n < 2)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect([...deliveries.values()]).toEqual([2, 2, 2, 2]);
      expect(await waitForJob(system, jobId)).toMatchObject(succeeded);
      const output = await outputOf(system, jobId);
      expect(output.map((row) => row.outputs!.y[0])).toEqual(records.map((r) => r.a * 2));
    } finally {
      crashFirstDelivery = false;
    }
  });

  it("logs a chunk scored twice (its worker died before counting it) once: the monitor's windows count each row once", async () => {
    const version = await registered(system, 'scaler', scaledModel(2), { features });
    expect((await putEndpoint(system, 'relogged', { variants: [{ name: 'main', model: 'scaler', version, weight: 100 }] })).status).toBe(201);
    await drainLogs(system);
    failFirstCount = true;
    try {
      const records = Array.from({ length: 40 }, (_, i) => ({ a: i, b: 1, c: 2 }));
      const { jobId } = (await (await system.api('/v1/endpoints/relogged/batch', { method: 'POST', json: { input: { records }, rowsPerChunk: 10 } })).json()) as { jobId: string };
      expect(await waitForJob(system, jobId)).toMatchObject({ status: 'succeeded', rows: { total: 40, done: 40, failed: 0 }, chunks: { total: 4, done: 4 } });
      expect([...failedCounts].filter((chunk) => chunk.startsWith(`BATCH#${jobId}#`))).toHaveLength(4);
    } finally {
      failFirstCount = false;
    }
    // Every chunk was scored and logged twice, in the same batches both times.
    const messages = await drainLogMessages(system);
    const batches = messages.map((message) => decodePredictionLogBatch(message.Body!)).filter((batch) => batch.records[0]?.endpoint === 'relogged');
    expect(batches.reduce((rows, batch) => rows + batch.records.length, 0)).toBe(80);
    expect(new Set(batches.map((batch) => batch.id)).size).toBe(batches.length / 2);
    const { Attributes } = await system.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: system.names.queues.predictionLogs, AttributeNames: ['QueueArn'] }));
    const monitor = createMonitorHandler(system.clients, system.names, { logger: silentLogger });
    expect(await monitor(sqsEventFrom(messages, Attributes!.QueueArn!), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await totalCount(new DynamoWindowStore(system.clients.dynamodb, system.names.tables.monitoring), 'relogged')).toBe(40);
  });

  it("logs batch rows for monitoring like online rows: marked batch, sampled by the endpoint's logging policy", async () => {
    const version = await registered(system, 'scaler', scaledModel(2), { features });
    const config = { variants: [{ name: 'main', model: 'scaler', version, weight: 100 }], logging: { percent: 50, redact: ['b'] } };
    expect((await putEndpoint(system, 'sampled', config)).status).toBe(201);
    await drainLogs(system);
    const records = Array.from({ length: 400 }, (_, i) => ({ a: i, b: 1, c: 2 }));
    const { jobId } = (await (await system.api('/v1/endpoints/sampled/batch', { method: 'POST', json: { input: { records }, rowsPerChunk: 10 } })).json()) as { jobId: string };
    expect(await waitForJob(system, jobId)).toMatchObject({ status: 'succeeded', rows: { done: 400 } });
    const output = await outputOf(system, jobId);
    // A chunk is one request, so it is logged whole or not at all, as a request of 10 rows would be.
    const expected = output.filter((row) => isLogged('sampled', 50, row.predictionId!.split('/')[0])).map((row) => row.predictionId);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(400);
    const logged = (await drainLogs(system)).filter((record) => record.endpoint === 'sampled');
    expect(logged.map((record) => record.id).sort()).toEqual([...expected].sort());
    const byId = new Map(output.map((row) => [row.predictionId, row]));
    for (const record of logged) {
      const row = byId.get(record.id)!;
      expect(record).toMatchObject({ chosen: 'batch', variant: 'main', status: 'ok', redacted: ['b'], inputs: { a: records[row.row].a, c: 2 }, outputs: row.outputs });
    }
  });

  it('honours an idempotency key: the same body gets the same job, another body a 409', async () => {
    const body = { input: { records: [{ a: 1, b: 2, c: 3 }] }, idempotencyKey: 'nightly-2026-12-03' };
    const first = (await (await submit(system, body)).json()) as { jobId: string };
    const again = await submit(system, { idempotencyKey: body.idempotencyKey, input: body.input });
    expect(again.status).toBe(202);
    expect(((await again.json()) as { jobId: string }).jobId).toBe(first.jobId);
    const other = await submit(system, { ...body, input: { records: [{ a: 9, b: 9, c: 9 }] } });
    const problem = await expectProblem(other, 409);
    expect(problem.errors?.[0].path).toBe('idempotencyKey');
  });

  it('refuses what it cannot run with a clear problem', async () => {
    expect((await expectProblem(await submit(system, { input: { records: [{ a: 1 }] }, format: 'parquet' }), 400)).detail).toMatch(/Parquet input goes through an upload/);
    const csvUpload = ((await (await system.api('/v1/batch-uploads', { method: 'POST', json: { format: 'csv' } })).json()) as { key: string }).key;
    expect((await expectProblem(await submit(system, { input: { key: csvUpload }, format: 'parquet' }), 400)).errors?.[0].path).toBe('format');
    expect((await expectProblem(await submit(system, { input: { key: 'models/sha256/abc.onnx' } }), 400)).errors?.[0].path).toBe('input/key');
    // A multipart upload (past 8 MiB) is assembled by the submission: parts that are not its own are refused.
    const parted = (await (await system.api('/v1/batch-uploads', { method: 'POST', json: { format: 'ndjson', sizeBytes: 9 * 1024 * 1024 } })).json()) as {
      key: string;
      uploadId: string;
      parts: unknown[];
    };
    expect(parted.parts).toHaveLength(2);
    const forgedParts = [
      { partNumber: 1, etag: '"0"' },
      { partNumber: 2, etag: '"1"' },
    ];
    expect((await expectProblem(await submit(system, { input: { key: parted.key, uploadId: 'not-this-upload', parts: forgedParts } }), 400)).errors?.[0].path).toBe(
      'input/uploadId',
    );
    expect((await expectProblem(await submit(system, { input: { key: parted.key, uploadId: parted.uploadId, parts: forgedParts } }), 400)).errors?.[0].path).toBe('input/parts');
    await expectProblem(await submit(system, { input: { key: parted.key, uploadId: parted.uploadId } }), 400);
    await expectProblem(await submit(system, { input: { records: [{ a: 1 }] }, variant: 'nope' }), 400);
    await expectProblem(await system.api('/v1/endpoints/nowhere/batch', { method: 'POST', json: { input: { records: [{ a: 1 }] } } }), 404);
    await expectProblem(await submit(system, { input: { records: [] } }), 400);
    await expectProblem(await system.api('/v1/batch-jobs/bj-00000000000000000000000000000000'), 404);
  });

  it('lists jobs newest first, by endpoint and status, a page at a time by an opaque cursor', async () => {
    const version = await registered(system, 'scaler', scaledModel(2), { features });
    expect((await putEndpoint(system, 'listed', { variants: [{ name: 'main', model: 'scaler', version, weight: 100 }] })).status).toBe(201);
    const submitted: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await system.api('/v1/endpoints/listed/batch', { method: 'POST', json: { input: { records: [{ a: i, b: 1, c: 2 }] } } });
      submitted.push(((await response.json()) as { jobId: string }).jobId);
      await new Promise((r) => setTimeout(r, 5));
    }
    for (const jobId of submitted) await waitForJob(system, jobId);
    const list = async (query: string) => {
      const response = await system.api(`/v1/batch-jobs?${query}`);
      expect(response.status, await response.clone().text()).toBe(200);
      return (await response.json()) as { jobs: JobView[]; next?: string };
    };
    const first = await list('endpoint=listed&limit=2');
    expect(first.jobs.map((job) => job.jobId)).toEqual([submitted[2], submitted[1]]);
    expect(first.jobs[0]).toMatchObject({ endpoint: 'listed', status: 'succeeded', rows: { total: 1, done: 1, failed: 0 } });
    const second = await list(`endpoint=listed&limit=2&cursor=${first.next}`);
    expect(second.jobs.map((job) => job.jobId)).toEqual([submitted[0]]);
    expect(second.next).toBeUndefined();
    expect((await list('status=succeeded&limit=100')).jobs.map((job) => job.jobId)).toEqual(expect.arrayContaining(submitted));
    expect((await list('endpoint=listed&status=failed')).jobs).toEqual([]);
    // Every endpoint's jobs, newest first.
    const all = (await list('limit=100')).jobs.map((job) => job.createdAt);
    expect(all).toEqual([...all].sort().reverse());
    const forged = Buffer.from('2099-01-01T00:00:00.000Z#bj-0', 'utf8').toString('base64url');
    expect((await expectProblem(await system.api(`/v1/batch-jobs?cursor=${forged}`), 400)).errors?.[0].path).toBe('cursor');
    await expectProblem(await system.api('/v1/batch-jobs?cursor=not-a-cursor'), 400);
    await expectProblem(await system.api('/v1/batch-jobs?status=done'), 400);
    await expectProblem(await system.api('/v1/batch-jobs?limit=0'), 400);
  });

  it('needs the predict scope to submit', async () => {
    const created = (await (await system.api('/v1/keys', { method: 'POST', json: { name: 'reader', scopes: ['read'] } })).json()) as { key: string };
    const response = await system.api('/v1/endpoints/scaler/batch', { method: 'POST', json: { input: { records: [{ a: 1, b: 2, c: 3 }] } }, key: created.key });
    expect(response.status).toBe(403);
  });
});

describe('cancelling a batch job', () => {
  let system: TestSystem;
  beforeAll(async () => {
    // No batch consumer: jobs stay queued until cancelled.
    system = await startTestSystem();
    const version = await registered(system, 'scaler', scaledModel(2), { features });
    await putEndpoint(system, 'scaler', { variants: [{ name: 'main', model: 'scaler', version, weight: 100 }] });
  }, 60_000);
  afterAll(() => system?.stop());

  it('cancels a queued job, keeps cancelling idempotent, and has no output for it', async () => {
    const { jobId } = (await (await submit(system, { input: { records: [{ a: 1, b: 2, c: 3 }] } })).json()) as { jobId: string };
    expect(((await (await system.api(`/v1/batch-jobs/${jobId}`)).json()) as JobView).status).toBe('queued');
    await expectProblem(await system.api(`/v1/batch-jobs/${jobId}/output`), 409);
    const cancelled = await system.api(`/v1/batch-jobs/${jobId}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as JobView).status).toBe('cancelled');
    expect((await system.api(`/v1/batch-jobs/${jobId}/cancel`, { method: 'POST' })).status).toBe(200);
    expect(((await (await system.api(`/v1/batch-jobs/${jobId}`)).json()) as { finishedAt: string | null }).finishedAt).not.toBeNull();
  });
});
