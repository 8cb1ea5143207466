import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoWindowStore, S3PredictionLogSpill, S3ReferenceProfileStore, SqsPredictionLogSink } from '@flywheel/aws';
import { encodeLogRecord, encodeBatchBody, type PredictionLogEntry, silentLogger } from '@flywheel/core';
import { createMonitorHandler } from '@flywheel/deploy';
import { at, batchBody, eventually, lambdaContext, logRecord, queueDrained, sqsEvent, totalCount, windowCounts } from '@flywheel/testing/monitor-fixtures';
import { faultyDynamo } from '@flywheel/testing/faulty-dynamo';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

const isWindowWrite = (command: unknown) => command instanceof PutItemCommand && command.input.Item?.pk?.S?.startsWith('WINDOW#') === true;

describe('prediction logs are counted exactly once, whatever the delivery', () => {
  let system: TestSystem;
  let windows: DynamoWindowStore;

  beforeAll(async () => {
    system = await startTestSystem({
      consumers: { monitor: (clients, names) => createMonitorHandler(clients, names) },
    });
    windows = new DynamoWindowStore(system.clients.dynamodb, system.names.tables.monitoring);
    const profiles = new S3ReferenceProfileStore(system.clients.s3, system.names.bucket);
    const baseline = Array.from({ length: 500 }, (_, i) => logRecord(i));
    await profiles.storeReferenceProfile(
      'churn-model',
      1,
      [
        { name: 'age', kind: 'numerical' },
        { name: 'plan', kind: 'categorical' },
      ],
      baseline.map((r) => r.outputs!),
      baseline.map((r) => r.inputs),
    );
  });
  afterAll(() => system?.stop());

  it('changes no count when a batch is delivered again', async () => {
    const handle = createMonitorHandler(system.clients, system.names);
    const records = Array.from({ length: 100 }, (_, i) => logRecord(i, { endpoint: 'redelivered' }));
    const body = batchBody(records);
    expect(await handle(sqsEvent([{ messageId: 'm-1', body }]), lambdaContext())).toEqual({ batchItemFailures: [] });
    // Redelivered by SQS (same message), and re-sent by a producer retry (new message id, same batch).
    expect(await handle(sqsEvent([{ messageId: 'm-1', body }]), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(
      await handle(
        sqsEvent([
          { messageId: 'm-2', body },
          { messageId: 'm-3', body },
        ]),
        lambdaContext(),
      ),
    ).toEqual({ batchItemFailures: [] });
    expect(await totalCount(windows, 'redelivered')).toBe(100);
    const [window] = await windows.list('redelivered', at(0), at(1));
    expect(window.state.health.count).toBe(100);
    expect(window.state.sketch?.records).toBe(100);
    expect(window.applied.size).toBe(0);
  });

  it('reports what it did as CloudWatch EMF metrics when run as the Lambda function', async () => {
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const handle = createMonitorHandler(system.clients, system.names, { metrics: new Metrics({ namespace: 'FlywheelTest', serviceName: 'monitor' }) });
      const body = batchBody(Array.from({ length: 12 }, (_, i) => logRecord(i, { endpoint: 'metered' })));
      await handle(
        sqsEvent([
          { messageId: 'emf-1', body },
          { messageId: 'emf-2', body: 'not a batch' },
        ]),
        lambdaContext(),
      );
    } finally {
      write.mockRestore();
    }
    const emf = lines.map((line) => JSON.parse(line)).find((entry) => entry._aws);
    expect(emf._aws.CloudWatchMetrics[0].Namespace).toBe('FlywheelTest');
    expect(emf).toMatchObject({ RecordsIngested: 12, BatchesProcessed: 1, MessagesInvalid: 1, MessagesFailed: 0, service: 'monitor' });
    expect(emf.IngestLag).toBeGreaterThanOrEqual(0);
  });

  it('leaves every count exact after a monitor fails part-way through a batch and the batch is redelivered', async () => {
    const records = [0, 1, 2].flatMap((hour) => Array.from({ length: 40 }, (_, i) => logRecord(hour * 100 + i, { endpoint: 'half-merged', time: at(hour, 5) })));
    const messages = [
      { messageId: 'fault-1', body: batchBody(records.slice(0, 60)) },
      { messageId: 'fault-2', body: batchBody(records.slice(60)) },
    ];
    let windowWrites = 0;
    const dynamodb = faultyDynamo(system.clients.dynamodb, (command) => isWindowWrite(command) && ++windowWrites === 2);
    const failing = createMonitorHandler({ ...system.clients, dynamodb }, system.names, { logger: silentLogger });
    const first = await failing(sqsEvent(messages), lambdaContext());
    expect(first.batchItemFailures.length).toBeGreaterThan(0);
    const partial = await totalCount(windows, 'half-merged');
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(120);

    const healthy = createMonitorHandler(system.clients, system.names);
    expect(await healthy(sqsEvent(messages), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await healthy(sqsEvent(messages), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect([...(await windowCounts(windows, 'half-merged')).values()]).toEqual([40, 40, 40]);
  });

  it('leaves every count exact after a monitor dies mid-batch holding its claim, once the lease runs out', async () => {
    const records = [0, 1].flatMap((hour) => Array.from({ length: 30 }, (_, i) => logRecord(i, { endpoint: 'crashed', time: at(hour, 5) })));
    const message = { messageId: 'crash-1', body: batchBody(records) };
    // After the first window write lands, the "process" is gone: nothing else reaches DynamoDB,
    // not even the release of its claim.
    let dead = false;
    const dynamodb = faultyDynamo(system.clients.dynamodb, (command) => {
      if (dead) return true;
      if (isWindowWrite(command)) {
        setTimeout(() => (dead = true), 0);
        return false;
      }
      return false;
    });
    const shortLease = { ingest: { leaseMarginMs: 0, concurrency: 1 }, logger: silentLogger };
    const dying = createMonitorHandler({ ...system.clients, dynamodb }, system.names, shortLease);
    expect((await dying(sqsEvent([message]), lambdaContext(300))).batchItemFailures).toEqual([{ itemIdentifier: 'crash-1' }]);
    expect(await totalCount(windows, 'crashed')).toBe(30);

    const successor = createMonitorHandler(system.clients, system.names, shortLease);
    // Within the lease the batch is someone else's: left for redelivery, not double counted.
    expect((await successor(sqsEvent([message]), lambdaContext(300))).batchItemFailures).toEqual([{ itemIdentifier: 'crash-1' }]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await successor(sqsEvent([message]), lambdaContext(300))).toEqual({ batchItemFailures: [] });
    expect([...(await windowCounts(windows, 'crashed')).values()]).toEqual([30, 30]);
    for (const w of await windows.list('crashed', at(-1), at(24))) expect(w.applied.size).toBe(0);
  });

  it('loses no update when monitors merge into the same window at once', async () => {
    const handlers = [0, 1, 2, 3].map(() => createMonitorHandler(system.clients, system.names));
    const bodies = Array.from({ length: 24 }, (_, b) => batchBody(Array.from({ length: 25 }, (_, i) => logRecord(b * 25 + i, { endpoint: 'contended' }))));
    const results = await Promise.all(
      handlers.map((handle, h) => handle(sqsEvent(bodies.filter((_, b) => b % 4 === h).map((body, i) => ({ messageId: `c-${h}-${i}`, body }))), lambdaContext())),
    );
    expect(results.every((r) => r.batchItemFailures.length === 0)).toBe(true);
    expect(await totalCount(windows, 'contended')).toBe(600);
  });

  it('counts 3,000 records sent through the sink, the queue and the consumer exactly 3,000 times', async () => {
    const sink = new SqsPredictionLogSink({
      sqs: system.clients.sqs,
      queueUrl: system.names.queues.predictionLogs,
      spill: new S3PredictionLogSpill(system.clients.s3, system.names.bucket),
      unitHashKey: 'test-key',
      // Small messages, so 3,000 records make many messages and batch calls.
      limits: { maxMessageBytes: 16 * 1024, maxBatchBytes: 256 * 1024, maxBatchEntries: 10 },
    });
    for (let i = 0; i < 3000; i++) sink.log(entry('volume', i));
    await sink.close();
    expect(sink.stats()).toMatchObject({ sentRecords: 3000, spilledRecords: 0, droppedRecords: 0 });
    expect(sink.stats().sentMessages).toBeGreaterThan(10);
    await queueDrained(system.clients.sqs, system.names.queues.predictionLogs);
    expect(await totalCount(windows, 'volume')).toBe(3000);
  });

  it('loses no record when the queue goes away mid-traffic: spilled to S3, replayed on recovery', async () => {
    const dead = new SQSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    let queueDown = false;
    const sqs = { send: (command: never, options?: never) => (queueDown ? dead : system.clients.sqs).send(command, options) } as unknown as SQSClient;
    const spill = new S3PredictionLogSpill(system.clients.s3, system.names.bucket);
    const sink = new SqsPredictionLogSink({
      sqs,
      queueUrl: system.names.queues.predictionLogs,
      spill,
      unitHashKey: 'test-key',
      flushIntervalMs: 50,
      sendAttempts: 2,
      retryBaseMs: 10,
      logger: silentLogger,
    });
    let n = 0;
    const traffic = async (count: number) => {
      for (let i = 0; i < count; i++) {
        sink.log(entry('outage', n++));
        if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await sink.flush();
    };
    await traffic(400);
    queueDown = true;
    await traffic(800);
    const spilled = await system.clients.s3.send(new ListObjectsV2Command({ Bucket: system.names.bucket, Prefix: 'spill/' }));
    expect(spilled.KeyCount).toBeGreaterThan(0);
    expect(sink.stats().spilledRecords).toBe(800);
    queueDown = false;
    await traffic(400);
    await sink.close();
    expect(sink.stats()).toMatchObject({ sentRecords: 800, spilledRecords: 800, droppedRecords: 0 });
    expect(sink.stats().replayedBatches).toBe(spilled.KeyCount);
    const left = await system.clients.s3.send(new ListObjectsV2Command({ Bucket: system.names.bucket, Prefix: 'spill/' }));
    expect(left.KeyCount ?? 0).toBe(0);
    await queueDrained(system.clients.sqs, system.names.queues.predictionLogs);
    expect(await totalCount(windows, 'outage')).toBe(1600);
  });

  it('dead-letters what cannot be read, with the reason, and counts the rest', async () => {
    const good = Array.from({ length: 9 }, (_, i) => encodeLogRecord(logRecord(i, { endpoint: 'poisoned' })));
    const mixed = encodeBatchBody('mixed-batch-1', [...good.slice(0, 2), { line: '{"id": "oops/0", "time": "yesterday"}', bytes: 0 }, ...good.slice(2)]);
    await system.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: system.names.queues.predictionLogs,
        Entries: [
          { Id: 'garbage', MessageBody: 'this is not a log batch' },
          { Id: 'mixed', MessageBody: mixed },
          { Id: 'clean', MessageBody: batchBody(Array.from({ length: 20 }, (_, i) => logRecord(100 + i, { endpoint: 'poisoned' }))) },
        ],
      }),
    );
    await eventually(
      () => totalCount(windows, 'poisoned'),
      (count) => count >= 29,
    );
    const dlq = system.names.queues.predictionLogs.replace(/prediction-logs$/, 'prediction-logs-dlq');
    const letters: { body?: string; reason?: string; batch?: string }[] = [];
    await eventually(
      async () => {
        const received = await system.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
        const mine = (received.Messages ?? [])
          .map((m) => ({ body: m.Body, reason: m.MessageAttributes?.reason?.StringValue, batch: m.MessageAttributes?.batchId?.StringValue }))
          .filter((l) => l.body === 'this is not a log batch' || l.batch === 'mixed-batch-1');
        letters.push(...mine);
        return letters.length;
      },
      (found) => found >= 2,
    );
    expect(letters).toHaveLength(2);
    const garbage = letters.find((l) => l.body === 'this is not a log batch');
    expect(garbage?.reason).toMatch(/not a prediction log batch/);
    const line = letters.find((l) => l.batch === 'mixed-batch-1');
    expect(line?.body).toContain('yesterday');
    expect(line?.reason).toMatch(/^line 4: time/);
    await queueDrained(system.clients.sqs, system.names.queues.predictionLogs);
    expect(await totalCount(windows, 'poisoned')).toBe(29);
  });
});

function entry(endpoint: string, i: number): PredictionLogEntry {
  return {
    requestId: `${endpoint}-${i}`,
    time: at(0, 30),
    endpoint,
    variant: 'main',
    model: 'churn-model',
    version: 1,
    configVersion: 1,
    unit: `user-${i % 97}`,
    rows: [{ inputs: { age: 30 + (i % 20), plan: 'pro' }, outputs: { score: 0.5 } }],
    latencyMs: 2,
    status: 'ok',
    logging: { percent: 100, redact: [] },
  };
}
