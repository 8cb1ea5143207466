import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { localLambdaContext } from './lambda-context.ts';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: SqsBatchHandler;
  /** Records per invocation, as the function's trigger declares it. */
  batchSize: number;
  /** Seconds to gather a batch before invoking with fewer records. */
  batchWindowSeconds: number;
  /** Name of the function, for the Lambda context and log lines. */
  functionName: string;
  timeoutSeconds: number;
  /** Long-poll wait of an empty queue; `stop()` waits for the poll in flight, so keep it short locally. */
  waitTimeSeconds?: number;
  region?: string;
  onError?: (error: unknown) => void;
}

/**
 * What Lambda's SQS event source mapping does, in-process: long-poll, gather a batch up to the
 * batch size or window, invoke with a real-shaped SQSEvent, delete what succeeded, leave the
 * `batchItemFailures` (or the whole batch when the handler throws) to become visible again
 * after the queue's visibility timeout. The queue's redrive policy moves a message to its
 * dead-letter queue after max receives, as in AWS.
 */
export class SqsEventSource {
  readonly #options: Required<Omit<SqsEventSourceOptions, 'onError'>> & Pick<SqsEventSourceOptions, 'onError'>;
  #running = false;
  #loop?: Promise<void>;
  #wakeUp = () => undefined as void;

  constructor(options: SqsEventSourceOptions) {
    this.#options = { waitTimeSeconds: 2, region: 'us-east-1', ...options };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /**
   * Stops polling. The poll in flight is not aborted — the emulator would hand the next message
   * to the abandoned request — so stopping waits for it and for the invocation it feeds.
   */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wakeUp();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        const messages = await this.#gatherBatch();
        if (messages.length > 0) await this.#invoke(messages);
      } catch (error) {
        this.#options.onError?.(error);
        if (this.#running)
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 1000);
            this.#wakeUp = () => {
              clearTimeout(timer);
              resolve();
            };
          });
      }
    }
  }

  async #gatherBatch(): Promise<Message[]> {
    const { batchSize, batchWindowSeconds, waitTimeSeconds } = this.#options;
    const batch: Message[] = [];
    let deadline = Infinity;
    while (this.#running && batch.length < batchSize) {
      const remainingMs = deadline - Date.now();
      if (batch.length > 0 && remainingMs <= 0) break;
      const wait = batch.length === 0 ? waitTimeSeconds : Math.min(waitTimeSeconds, Math.ceil(remainingMs / 1000));
      const received = await this.#receive(Math.min(10, batchSize - batch.length), wait);
      if (received.length > 0 && batch.length === 0) deadline = Date.now() + batchWindowSeconds * 1000;
      batch.push(...received);
      if (batch.length > 0 && batchWindowSeconds === 0) break;
    }
    return batch;
  }

  async #receive(max: number, waitTimeSeconds: number): Promise<Message[]> {
    const response = await this.#options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#options.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return response.Messages ?? [];
  }

  async #invoke(messages: Message[]): Promise<void> {
    const records = messages.map((m) => this.#toRecord(m));
    const failed = await this.#failedIds(records);
    const succeeded = messages.filter((m) => !failed.has(m.MessageId!));
    for (let i = 0; i < succeeded.length; i += 10) {
      const chunk = succeeded.slice(i, i + 10);
      await this.#options.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.#options.queueUrl,
          Entries: chunk.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  }

  /** Which records to leave on the queue; like Lambda, a malformed response fails the whole batch. */
  async #failedIds(records: SQSRecord[]): Promise<Set<string>> {
    const all = new Set(records.map((r) => r.messageId));
    try {
      const response = await this.#options.handler({ Records: records }, this.#context());
      const failures = response?.batchItemFailures ?? [];
      const ids = failures.map((f) => f.itemIdentifier);
      if (ids.some((id) => !id || !all.has(id))) return all;
      return new Set(ids);
    } catch (error) {
      this.#options.onError?.(error);
      return all;
    }
  }

  #toRecord(message: Message): SQSRecord {
    const attributes = message.Attributes ?? {};
    return {
      messageId: message.MessageId!,
      receiptHandle: message.ReceiptHandle!,
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
        SenderId: attributes.SenderId ?? 'flywheel-local',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          { dataType: value.DataType ?? 'String', stringValue: value.StringValue, stringListValues: [], binaryListValues: [] },
        ]),
      ),
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.#options.queueArn,
      awsRegion: this.#options.region,
    };
  }

  #context(): Context {
    return localLambdaContext(this.#options.functionName, this.#options.region, this.#options.timeoutSeconds);
  }
}
