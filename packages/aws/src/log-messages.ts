import type { SQSClient } from '@aws-sdk/client-sqs';
import { encodeBatchHeader, encodeLogRecord, utf8Length, type Base64Encoder, type EncodedLogRecord, type PredictionLogRecord } from '@flywheel/core';
import { jsonEscaped, jsonUnescaped, releaseEscaped, sendEscapedMessageBatch } from './sqs-escaped-bodies.ts';

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

// Buffer's base64 is native: packing a medium model's row and outputs takes ~0.2 µs with it, ~1.2 µs
// with core's portable encoder (bench/README.md).
const nativeBase64: Base64Encoder = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** {@link encodeLogRecord} with Node's native base64 for packed runs: the same line, sooner. */
export function encodeLogRecordNatively(record: PredictionLogRecord): EncodedLogRecord {
  return encodeLogRecord(record, { base64: nativeBase64 });
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

/**
 * The body's escaped pieces, records cut one after another from the same chunk joined into one
 * piece: copying a body costs per piece, and a message holds hundreds of records.
 */
function escapedBody(message: LogMessage): Uint8Array[] {
  const pieces = [message.escapedHeader];
  let run: Uint8Array | undefined;
  let runEnd = 0;
  for (const { escaped } of message.records) {
    if (run !== undefined && escaped.buffer === run.buffer && escaped.byteOffset === runEnd) {
      runEnd += escaped.byteLength;
      continue;
    }
    if (run !== undefined) pieces.push(new Uint8Array(run.buffer, run.byteOffset, runEnd - run.byteOffset));
    run = escaped;
    runEnd = escaped.byteOffset + escaped.byteLength;
  }
  if (run !== undefined) pieces.push(new Uint8Array(run.buffer, run.byteOffset, runEnd - run.byteOffset));
  return pieces;
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
  const refused: Message[] = [];
  for (const [index, message] of messages.entries()) {
    if (failed.has(index)) refused.push(message);
    else releaseMessage(message);
  }
  return { refused, reasons: Failed.map((entry) => entry.Code ?? 'unknown') };
}

/** A message the queue took: its bytes are not read again, so their chunks may be cut again. */
function releaseMessage(message: LogMessage): void {
  releaseEscaped(message.escapedHeader);
  for (const record of message.records) releaseEscaped(record.escaped);
}
