import { MAX_HEADER_BYTES } from './batch.ts';

/** What one queue message and one SendMessageBatch call may hold. */
export interface PackingLimits {
  /** Bytes of one message body. */
  readonly maxMessageBytes: number;
  /** Bytes of all the bodies of one SendMessageBatch call together. */
  readonly maxBatchBytes: number;
  readonly maxBatchEntries: number;
}

/** SQS: 256 KiB per message and per batch call, 10 entries per call. */
export const SQS_PACKING_LIMITS: PackingLimits = { maxMessageBytes: 256 * 1024, maxBatchBytes: 256 * 1024, maxBatchEntries: 10 };

/**
 * Cuts records, in order, into runs that each fit one message with its header. Records are
 * never split; one larger than a message on its own (it cannot be: see MAX_RECORD_BYTES) still
 * gets a message of its own rather than being dropped.
 */
export function packMessages<LogRecord extends { readonly bytes: number }>(records: readonly LogRecord[], maxMessageBytes: number): LogRecord[][] {
  const messages: LogRecord[][] = [];
  let current: LogRecord[] = [];
  let bytes = MAX_HEADER_BYTES;
  for (const record of records) {
    if (current.length > 0 && bytes + record.bytes > maxMessageBytes) {
      messages.push(current);
      current = [];
      bytes = MAX_HEADER_BYTES;
    }
    current.push(record);
    bytes += record.bytes;
  }
  if (current.length > 0) messages.push(current);
  return messages;
}

/** Groups messages, in order, into SendMessageBatch calls within the entry and byte limits. */
export function packSendBatches<Message extends { readonly bytes: number }>(messages: readonly Message[], limits: PackingLimits): Message[][] {
  const batches: Message[][] = [];
  let current: Message[] = [];
  let bytes = 0;
  for (const message of messages) {
    const full = current.length >= limits.maxBatchEntries || bytes + message.bytes > limits.maxBatchBytes;
    if (current.length > 0 && full) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += message.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
