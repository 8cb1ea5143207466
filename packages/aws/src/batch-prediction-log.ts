import { createHash } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  type Logger,
  MAX_RECORD_BYTES,
  SQS_PACKING_LIMITS,
  packMessages,
  packSendBatches,
  preparePredictionLogRecords,
  type PredictionLogEntry,
  type PredictionLogRecord,
  type PredictionLogSink,
  type UnitHasher,
} from '@flywheel/core';
import { encodeLogRecordNatively, logMessage, queuedLogRecord, sendLogMessages, type LogMessage, type QueuedLogRecord } from './log-messages.ts';

const SEND_ATTEMPTS = 4;
/** Bytes the fields a rescoring may change (latency, config version) take at most beyond their placeholders. */
const VARYING_FIELD_BYTES = 64;

export interface BatchPredictionLogSinkOptions {
  sqs: SQSClient;
  queueUrl: string;
  hashUnit: UnitHasher;
  /** Default: silent (the batch function passes its own). */
  logger?: Logger;
}

/**
 * The batch function's prediction log. A chunk scored twice (its worker died after scoring it,
 * before counting it) must not log its rows twice, so each request's records go out in batches
 * whose ids derive from the request id (itself derived from the job, chunk and rows) and the
 * batch's place, cut by sizes that leave out what a rescoring changes (its time, latency and
 * config version): the second scoring sends the same batch ids, and the monitor's once-per-batch
 * ingest drops them. `flush` throws when the queue does not take them, so the chunk is retried
 * rather than counted without its logs; what it could not send is kept for the next flush.
 */
export class BatchPredictionLogSink implements PredictionLogSink {
  #pending: LogMessage[] = [];
  #drains: Promise<void> = Promise.resolve();

  constructor(private readonly options: BatchPredictionLogSinkOptions) {}

  log(entry: PredictionLogEntry): void {
    try {
      this.#pending.push(...stableLogBatches(entry, this.options.hashUnit));
    } catch (error) {
      this.options.logger?.error('could not prepare a batch prediction log entry', { endpoint: entry?.endpoint, error: String(error) });
    }
  }

  flush(): Promise<void> {
    const batches = this.#pending;
    this.#pending = [];
    const drain = this.#drains.catch(() => undefined).then(() => this.#send(batches));
    this.#drains = drain;
    return drain;
  }

  close(): Promise<void> {
    return this.flush();
  }

  async #send(batches: LogMessage[]): Promise<void> {
    const unsent: LogMessage[] = [];
    for (const call of packSendBatches(batches, SQS_PACKING_LIMITS)) {
      let pending = call;
      for (let attempt = 1; pending.length > 0 && attempt <= SEND_ATTEMPTS; attempt++) {
        const sent = pending;
        pending = await sendLogMessages(this.options.sqs, this.options.queueUrl, sent).then(
          ({ refused }) => refused,
          () => sent,
        );
      }
      unsent.push(...pending);
    }
    if (unsent.length > 0) {
      this.#pending.unshift(...unsent);
      throw new Error(`the prediction-log queue did not take ${unsent.length} batches of batch-job rows`);
    }
  }
}

/**
 * An entry's records as queue messages whose ids and contents' rows depend only on what a
 * rescoring of the same rows keeps: the request id, the rows, their outputs.
 */
export function stableLogBatches(entry: PredictionLogEntry, hashUnit: UnitHasher): LogMessage[] {
  const records = preparePredictionLogRecords(entry, hashUnit);
  const sized = records.map((record) => queuedLogRecord(encodeLogRecordNatively(record), stableBytes(record)));
  return packMessages(sized, SQS_PACKING_LIMITS.maxMessageBytes).map((run, n) => outgoing(entry.requestId, n, run));
}

/**
 * A record's size with what a rescoring may change set to placeholders, plus room for their real
 * values: the same for both scorings, and never less than the record's real size. Near the size
 * at which a record is truncated, the largest a record line can be.
 */
function stableBytes(record: PredictionLogRecord): number {
  const bytes = encodeLogRecordNatively({ ...record, time: '2000-01-01T00:00:00.000Z', latencyMs: 0, configVersion: 0 }).bytes + VARYING_FIELD_BYTES;
  return bytes > MAX_RECORD_BYTES - VARYING_FIELD_BYTES ? MAX_RECORD_BYTES + VARYING_FIELD_BYTES : bytes;
}

function outgoing(requestId: string, n: number, run: readonly QueuedLogRecord[]): LogMessage {
  return logMessage(`batchjob-${createHash('sha256').update(`${requestId}\n${n}`).digest('hex').slice(0, 40)}`, run);
}
