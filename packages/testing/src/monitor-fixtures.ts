// Builders for monitoring suites: log records, queue messages, Lambda events, polling.
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { encodePredictionLogBatch, type PredictionLogRecord, type WindowStore } from '@flywheel/core';

export const HOUR = 3_600_000;
/** An hour three days ago: recent enough for window retention, closed long ago. */
export const BASE_HOUR = Math.floor(Date.now() / HOUR) * HOUR - 72 * HOUR;
/** ISO time `minutes` into the hour `hours` after BASE_HOUR. */
export const at = (hours: number, minutes = 0) => new Date(BASE_HOUR + hours * HOUR + minutes * 60_000).toISOString();

export function logRecord(i: number, overrides: Partial<PredictionLogRecord> = {}): PredictionLogRecord {
  return {
    id: `req-${i}/0`,
    time: at(0, 15),
    endpoint: 'churn',
    variant: 'main',
    model: 'churn-model',
    version: 1,
    configVersion: 1,
    inputs: { age: 30 + (i % 20), plan: ['free', 'pro', 'team'][i % 3] },
    outputs: { score: (i % 10) / 10 },
    latencyMs: 1 + (i % 7),
    status: 'ok',
    ...overrides,
  };
}

let batchCounter = 0;
export function batchBody(records: readonly PredictionLogRecord[], id = `batch-${process.pid}-${++batchCounter}-${Date.now()}`): string {
  return encodePredictionLogBatch({ id, records });
}

export function sqsEvent(messages: readonly { messageId: string; body: string }[]): SQSEvent {
  return {
    Records: messages.map(({ messageId, body }) => ({
      messageId,
      receiptHandle: `rh-${messageId}`,
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'test', ApproximateFirstReceiveTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:test',
      awsRegion: 'us-east-1',
    })),
  };
}

export function lambdaContext(remainingMs = 60_000): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'monitor',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:monitor',
    memoryLimitInMB: '1024',
    awsRequestId: crypto.randomUUID(),
    logGroupName: '/aws/lambda/monitor',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Rows counted in all of an endpoint's windows, per window start. */
export async function windowCounts(windows: Pick<WindowStore, 'list'>, endpoint: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const w of await windows.list(endpoint, '2000-01-01T00:00:00.000Z', '2100-01-01T00:00:00.000Z')) {
    const id = `${w.key.start} ${w.key.variant}`;
    counts.set(id, (counts.get(id) ?? 0) + w.state.records);
  }
  return counts;
}

export async function totalCount(windows: Pick<WindowStore, 'list'>, endpoint: string): Promise<number> {
  return [...(await windowCounts(windows, endpoint)).values()].reduce((a, b) => a + b, 0);
}

/** Polls until `check` returns a value `done` accepts, or fails with the last value after the deadline. */
export async function eventually<T>(check: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await check();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    value = await check();
  }
  return value;
}

/** Waits until the queue holds no message, visible or in flight: every delivery has been handled. */
export async function queueDrained(sqs: SQSClient, queueUrl: string, timeoutMs = 20_000): Promise<void> {
  await eventually(
    async () => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    },
    (pending) => pending === 0,
    timeoutMs,
  );
}
