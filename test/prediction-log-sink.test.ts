import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, hmacUnitHasher, S3PredictionLogSpill, SqsPredictionLogSink, type AwsClients, type ResourceNames, type SqsPredictionLogSinkOptions } from '@flywheel/aws';
import { SQS_PACKING_LIMITS, decodePredictionLogBatch, encodePredictionLogBatch, type PredictionLogEntry, type PredictionLogRecord, silentLogger, loggerOf } from '@flywheel/core';
import { provisionStack, startEmbeddedAws, type EmbeddedAws } from '@flywheel/local';
import { eventually } from '@flywheel/testing/monitor-fixtures';
import { tempDataDir } from '@flywheel/testing/temp-dir';

function entry(endpoint: string, i: number, overrides: Partial<PredictionLogEntry> = {}): PredictionLogEntry {
  return {
    requestId: `${endpoint}-${i}`,
    time: '2026-03-01T10:15:00.000Z',
    endpoint,
    variant: 'main',
    model: 'churn-model',
    version: 1,
    configVersion: 1,
    unit: `user-${i % 7}`,
    rows: [{ inputs: { age: 30 + i, plan: 'pro' }, outputs: { score: [0.25, 0.75] } }],
    latencyMs: 2,
    status: 'ok',
    logging: { percent: 100, redact: [] },
    ...overrides,
  };
}

describe('the prediction log sink, from log() to the queue', () => {
  let aws: EmbeddedAws;
  let clients: AwsClients;
  let names: ResourceNames;
  let removeDir: () => Promise<void>;

  beforeAll(async () => {
    const dir = await tempDataDir('log-sink');
    removeDir = dir.remove;
    aws = await startEmbeddedAws({ dataDir: dir.path });
    clients = createAwsClients({ endpoints: aws.endpoints });
    names = await provisionStack(clients);
  });
  afterAll(async () => {
    await aws?.stop();
    await removeDir?.();
  });

  const sink = (options: Partial<SqsPredictionLogSinkOptions> = {}) =>
    new SqsPredictionLogSink({
      sqs: clients.sqs,
      queueUrl: names.queues.predictionLogs,
      spill: new S3PredictionLogSpill(clients.s3, names.bucket),
      unitHashKey: 'test-key',
      ...options,
    });

  /** Receives (and deletes) every log record on the queue until `count` of `endpoint`'s have arrived. */
  async function received(endpoint: string, count: number): Promise<PredictionLogRecord[]> {
    const records: PredictionLogRecord[] = [];
    await eventually(
      async () => {
        const { Messages = [] } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: names.queues.predictionLogs, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        for (const message of Messages) records.push(...decodePredictionLogBatch(message.Body!).records.filter((r) => r.endpoint === endpoint));
        if (Messages.length > 0) {
          await clients.sqs.send(
            new DeleteMessageBatchCommand({ QueueUrl: names.queues.predictionLogs, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
          );
        }
        return records.length;
      },
      (n) => n >= count,
      10_000,
      0,
    );
    return records;
  }

  it("packs wide rows into several messages within SQS's limit, each record once", async () => {
    const log = sink();
    const wide = Array.from({ length: 64 }, (_, i) => Math.fround(Math.sin(i) / 3));
    for (let i = 0; i < 1500; i++) log.log(entry('wide', i, { rows: [{ inputs: { x: wide }, outputs: { probs: wide.slice(0, 10) } }] }));
    await log.flush();
    const bodies: string[] = [];
    for (;;) {
      const { Messages = [] } = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: names.queues.predictionLogs, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) break;
      bodies.push(...Messages.map((m) => m.Body!));
      await clients.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: names.queues.predictionLogs, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
      );
    }
    // 1,500 records of ~0.6 KB (their runs of numbers packed): several messages, none over SQS's 256 KiB.
    expect(bodies.length).toBeGreaterThan(2);
    for (const body of bodies) expect(Buffer.byteLength(body)).toBeLessThanOrEqual(SQS_PACKING_LIMITS.maxMessageBytes);
    const records = bodies.flatMap((body) => decodePredictionLogBatch(body).records.filter((r) => r.endpoint === 'wide'));
    expect(records.map((r) => r.id).sort()).toEqual(Array.from({ length: 1500 }, (_, i) => `wide-${i}/0`).sort());
    // Packed on the queue, read back as the numbers logged.
    expect(bodies[0]).toContain('"x":{"$float32":"');
    for (const record of records) expect(record).toMatchObject({ inputs: { x: wide }, outputs: { probs: wide.slice(0, 10) } });
  });

  it('sends what was logged within the interval, without a flush, units hashed and nothing else changed', async () => {
    const log = sink({ flushIntervalMs: 100 });
    for (let i = 0; i < 30; i++) log.log(entry('unflushed', i));
    const records = await received('unflushed', 30);
    expect(records.map((r) => r.id).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `unflushed-${i}/0`).sort());
    const hash = hmacUnitHasher('test-key');
    for (const record of records) {
      const i = Number(record.id.split('-')[1].split('/')[0]);
      expect(record).toMatchObject({ unit: hash(`user-${i % 7}`), inputs: { age: 30 + i, plan: 'pro' }, outputs: { score: [0.25, 0.75] } });
    }
    await log.close();
    expect(log.stats()).toMatchObject({ sentRecords: 30, droppedRecords: 0 });
  });

  it('delivers text of every kind a feature may hold, quotes and characters beyond U+FFFF included, as it was logged', async () => {
    const log = sink();
    const texts = ['say "hi"\\n', 'Zürich 🚲 ☕', 'tab\there', '\uFFFE odd', '日本語 𝄞'];
    texts.forEach((text, i) => log.log(entry('texts', i, { rows: [{ inputs: { note: text }, outputs: { score: [1] } }] })));
    await log.close();
    expect(log.stats()).toMatchObject({ sentRecords: texts.length, spilledRecords: 0, droppedRecords: 0 });
    const records = await received('texts', texts.length);
    expect(records.map((r) => [r.id, r.inputs.note]).sort()).toEqual(texts.map((text, i) => [`texts-${i}/0`, text]).sort());
  });

  it('prepares entries after log() returns, so a broken entry costs only itself, never the caller or its neighbours', async () => {
    const reports: string[] = [];
    const log = sink({ logger: loggerOf((_level, message) => void reports.push(message)) });
    const broken = entry('isolated', 1);
    Object.defineProperty(broken, 'rows', {
      get() {
        throw new Error('rows could not be built');
      },
    });
    log.log(entry('isolated', 0));
    expect(() => log.log(broken)).not.toThrow();
    expect(reports).toEqual([]);
    log.log(entry('isolated', 2));
    // Logged in the same turn as the flush: included in it.
    await log.flush();
    expect(reports).toEqual(['could not prepare a prediction log entry']);
    expect((await received('isolated', 2)).map((r) => r.id).sort()).toEqual(['isolated-0/0', 'isolated-2/0']);
    await log.close();
  });

  it('sends what close() finds queued, and counts what is logged after it as dropped', async () => {
    const log = sink({ logger: silentLogger });
    for (let i = 0; i < 5; i++) log.log(entry('closing', i, { rows: [{ inputs: { a: i } }, { inputs: { a: -i } }] }));
    await log.close();
    log.log(entry('closing', 99));
    expect(log.stats()).toMatchObject({ sentRecords: 10, droppedRecords: 1 });
    expect(await received('closing', 10)).toHaveLength(10);
  });

  it('leaves the spill to the sinks that replay it: one with replaysSpill false only sends its own', async () => {
    const spill = new S3PredictionLogSpill(clients.s3, names.bucket);
    const record: PredictionLogRecord = {
      id: 'spilled-0/0',
      time: '2026-03-01T10:15:00.000Z',
      endpoint: 'spilled',
      variant: 'main',
      model: 'm',
      version: 1,
      configVersion: 1,
      inputs: {},
      latencyMs: 1,
      status: 'ok',
    };
    await spill.write('spilled-batch', encodePredictionLogBatch({ id: 'spilled-batch', records: [record] }));
    const spilledKeys = async () => (await clients.s3.send(new ListObjectsV2Command({ Bucket: names.bucket, Prefix: 'spill/' }))).KeyCount ?? 0;

    const edge = sink({ replaysSpill: false });
    edge.log(entry('edge-only', 0));
    await edge.close();
    expect(edge.stats()).toMatchObject({ sentRecords: 1, replayedBatches: 0 });
    expect(await spilledKeys()).toBe(1);

    const api = sink();
    api.log(entry('api', 0));
    await api.flush();
    await eventually(
      async () => api.stats().replayedBatches,
      (n) => n === 1,
      10_000,
      10,
    );
    expect(await spilledKeys()).toBe(0);
    expect((await received('spilled', 1)).map((r) => r.id)).toEqual(['spilled-0/0']);
    await api.close();
  });
});
