import type { SQSClient } from '@aws-sdk/client-sqs';
import { encodeBatchBody, encodeBatchHeader, utf8Length, type EncodedLogRecord } from '@flywheel/core';
import { escapedMessageBody, sendEscapedMessageBatch } from './sqs-escaped-bodies.ts';

/** One prediction-log message: a batch id and its encoded records, kept apart until sent. */
export interface LogMessage {
  readonly batchId: string;
  readonly records: readonly EncodedLogRecord[];
  /** The body's bytes, from each record's size (never less than the body's real size). */
  readonly bytes: number;
}

export function logMessage(batchId: string, records: readonly EncodedLogRecord[]): LogMessage {
  // Each record's bytes are known: no scan of a 256 KiB body, nor a 256 KiB string at all.
  let bytes = utf8Length(encodeBatchHeader(batchId, records.length));
  for (const record of records) bytes += record.bytes;
  return { batchId, records, bytes };
}

/** The body as one string: for the spill, not for the queue. */
export function logMessageBody(message: LogMessage): string {
  return encodeBatchBody(message.batchId, message.records);
}

function* bodyPieces(message: LogMessage): Generator<string> {
  yield encodeBatchHeader(message.batchId, message.records.length);
  for (const record of message.records) yield '\n' + record.line;
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
  const entries = messages.map((message, index) => ({ Id: String(index), escapedBody: escapedMessageBody(bodyPieces(message)) }));
  const { Failed = [] } = await sendEscapedMessageBatch(sqs, queueUrl, entries, options);
  const failed = new Set(Failed.map((entry) => Number(entry.Id)));
  return { refused: messages.filter((_, index) => failed.has(index)), reasons: Failed.map((entry) => entry.Code ?? 'unknown') };
}
