import type { SQSClient } from '@aws-sdk/client-sqs';
import { encodeBatchHeader, utf8Length, type EncodedLogRecord } from '@flywheel/core';
import { jsonEscaped, jsonUnescaped, sendEscapedMessageBatch } from './sqs-escaped-bodies.ts';

/**
 * A log record on its way to the queue: a newline and its line, as escaped bytes ready for the
 * SendMessageBatch call. Made as soon as a record is encoded, so the line string dies young.
 */
export interface QueuedLogRecord {
  readonly escaped: Uint8Array;
  /** Bytes the record adds to a message body (SQS counts the body unescaped). */
  readonly bytes: number;
}

export function queuedLogRecord(record: EncodedLogRecord, bytes = record.bytes): QueuedLogRecord {
  return { escaped: jsonEscaped('\n' + record.line), bytes };
}

/** One prediction-log message: a batch id and its records, kept apart until sent. */
export interface LogMessage {
  readonly batchId: string;
  readonly records: readonly QueuedLogRecord[];
  /** The body's bytes, from the header and each record's size (never less than the body's real size). */
  readonly bytes: number;
  readonly escapedHeader: Uint8Array;
}

export function logMessage(batchId: string, records: readonly QueuedLogRecord[]): LogMessage {
  const header = encodeBatchHeader(batchId, records.length);
  let bytes = utf8Length(header);
  for (const record of records) bytes += record.bytes;
  return { batchId, records, bytes, escapedHeader: jsonEscaped(header) };
}

function escapedBody(message: LogMessage): Uint8Array[] {
  return [message.escapedHeader, ...message.records.map((record) => record.escaped)];
}

/** The body as one string: for the spill, not for the queue. */
export function logMessageBody(message: LogMessage): string {
  return jsonUnescaped(escapedBody(message));
}

/**
 * Sends the messages in one SendMessageBatch call (they must fit one: see `packSendBatches`) and
 * returns the ones the queue refused, with SQS's reasons. Throws when the call fails as a whole.
 */
export async function sendLogMessages<Message extends LogMessage>(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly Message[],
  options: { abortSignal?: AbortSignal } = {},
): Promise<{ refused: Message[]; reasons: string[] }> {
  const entries = messages.map((message, index) => ({ Id: String(index), escapedBody: escapedBody(message) }));
  const { Failed = [] } = await sendEscapedMessageBatch(sqs, queueUrl, entries, options);
  const failed = new Set(Failed.map((entry) => Number(entry.Id)));
  return { refused: messages.filter((_, index) => failed.has(index)), reasons: Failed.map((entry) => entry.Code ?? 'unknown') };
}
