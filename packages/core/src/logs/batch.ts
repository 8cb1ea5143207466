import { z } from 'zod';
import { PredictionLogRecordSchema, isPredictionLogRecord, type PredictionLogRecord } from './record.ts';
import { packValues, toBase64, unpackValues, type Base64Encoder } from './packed-numbers.ts';
import { isAscii, utf8Length } from './utf8.ts';

/**
 * A batch of prediction log records as one queue message body: NDJSON, a header line naming the
 * batch, then one record per line. The batch id is the unit of idempotency downstream: a batch
 * sent twice (a retry after an ambiguous failure, a replay from the spill) is counted once.
 * NDJSON rather than one JSON array so a consumer can reject a bad line and keep the rest. Runs
 * of numbers in a record's inputs and outputs travel packed (see packed-numbers.ts); decoding
 * unpacks them.
 */
export interface PredictionLogBatch {
  readonly id: string;
  readonly records: readonly PredictionLogRecord[];
}

export const BATCH_FORMAT = 'flywheel.prediction-logs/2';
/** Before packed runs of numbers: still read, so batches queued by an older sink are not lost. */
const UNPACKED_BATCH_FORMAT = 'flywheel.prediction-logs/1';

const BatchHeaderSchema = z.object({
  format: z.enum([BATCH_FORMAT, UNPACKED_BATCH_FORMAT]),
  batch: z.string().regex(/^[A-Za-z0-9_-]{8,80}$/, 'batch ids are 8–80 letters, digits, "_" or "-"'),
  records: z.int().min(0),
});
export type PredictionLogBatchHeader = z.infer<typeof BatchHeaderSchema>;

/** A record serialised for a batch, with its size in bytes (newline included). */
export interface EncodedLogRecord {
  readonly line: string;
  readonly bytes: number;
}

/**
 * Largest record line: a record beyond it is logged without inputs and outputs (`truncated`), so
 * one huge row cannot block a batch. Well under a message so records still pack.
 */
export const MAX_RECORD_BYTES = 64 * 1024;

// SQS accepts only #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF; JSON.stringify
// escapes everything else but the noncharacters U+FFFE and U+FFFF (lone surrogates are escaped
// since ES2019). Characters beyond U+FFFF are written as escaped surrogate pairs too: SQS takes
// them, the local emulator refuses them, and the escaped line parses to the same text.
const REFUSED_BY_QUEUE = /[\uFFFE\uFFFF\uD800-\uDFFF]/;
const ALL_REFUSED_BY_QUEUE = /[\uFFFE\uFFFF\uD800-\uDFFF]/g;
const escapeCodeUnit = (c: string) => `\\u${c.charCodeAt(0).toString(16)}`;

function encodeLine(value: unknown): EncodedLogRecord {
  const json = JSON.stringify(value);
  // The usual, all-ASCII line holds no noncharacter and no multi-byte character: one scan settles both.
  if (isAscii(json)) return { line: json, bytes: json.length + 1 };
  const line = REFUSED_BY_QUEUE.test(json) ? json.replace(ALL_REFUSED_BY_QUEUE, escapeCodeUnit) : json;
  return { line, bytes: utf8Length(line) + 1 };
}

export interface LogRecordEncoding {
  /** Base64 for packed runs (default: the portable encoder; Node callers pass Buffer's, several times faster). */
  base64?: Base64Encoder;
}

export function encodeLogRecord(record: PredictionLogRecord, { base64 = toBase64 }: LogRecordEncoding = {}): EncodedLogRecord {
  const encoded = encodeLine(packedRecord(record, base64));
  return encoded.bytes > MAX_RECORD_BYTES ? encodeLine({ ...record, inputs: {}, outputs: undefined, truncated: true }) : encoded;
}

function packedRecord(record: PredictionLogRecord, base64: Base64Encoder): PredictionLogRecord {
  const inputs = packValues(record.inputs, base64);
  const outputs = record.outputs && packValues(record.outputs, base64);
  return inputs === record.inputs && outputs === record.outputs ? record : { ...record, inputs, outputs };
}

/**
 * A record line's runs of numbers unpacked, in place; the reason when one is broken. For every
 * reader of lines as sent: the monitor, and the archive it keeps them in.
 */
export function unpackLogRecord(record: PredictionLogRecord): string | undefined {
  const broken = unpackValues(record.inputs);
  if (broken) return `inputs.${broken}`;
  const brokenOutput = record.outputs && unpackValues(record.outputs);
  return brokenOutput ? `outputs.${brokenOutput}` : undefined;
}

export function encodeBatchHeader(batchId: string, records: number): string {
  return JSON.stringify({ format: BATCH_FORMAT, batch: batchId, records } satisfies PredictionLogBatchHeader);
}

/** Bytes a header takes at most (ids up to 80 characters, counts up to 10^9). */
export const MAX_HEADER_BYTES = utf8Length(encodeBatchHeader('x'.repeat(80), 999_999_999)) + 1;

/** The message body of a batch of encoded records. */
export function encodeBatchBody(batchId: string, records: readonly EncodedLogRecord[]): string {
  let body = encodeBatchHeader(batchId, records.length);
  for (const record of records) body += '\n' + record.line;
  return body;
}

export function encodePredictionLogBatch(batch: PredictionLogBatch): string {
  return encodeBatchBody(
    batch.id,
    batch.records.map((record) => encodeLogRecord(record)),
  );
}

export class InvalidLogBatchError extends Error {
  override name = 'InvalidLogBatchError';
}

/** A line of a batch that is not a valid record, and why. */
export interface RejectedLogLine {
  /** 1-based line number in the body (the header is line 1). */
  readonly line: number;
  readonly reason: string;
  readonly text: string;
}

export interface DecodedLogBatch {
  readonly id: string;
  readonly records: PredictionLogRecord[];
  /** Each record as one JSON line (the line as sent, runs of numbers packed, unless the schema normalised the record). */
  readonly lines: string[];
  readonly rejected: RejectedLogLine[];
}

function issueText(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`)
    .join('; ');
}

/**
 * Reads a batch body. A body without a valid header, or whose record count disagrees with the
 * header (a cut message), is an {@link InvalidLogBatchError}; a bad record line is set aside in
 * `rejected` and the others are kept.
 */
export function decodePredictionLogBatch(body: string): DecodedLogBatch {
  const lines = body.split('\n');
  let header: PredictionLogBatchHeader;
  try {
    header = BatchHeaderSchema.parse(JSON.parse(lines[0]));
  } catch (error) {
    const reason = error instanceof z.ZodError ? issueText(error) : 'the first line is not JSON';
    throw new InvalidLogBatchError(`not a prediction log batch (${reason})`);
  }
  const recordLines = lines.length - 1 - (lines.at(-1) === '' ? 1 : 0);
  if (recordLines !== header.records) {
    throw new InvalidLogBatchError(`batch ${header.batch} announces ${header.records} records but holds ${recordLines}`);
  }
  const packed = header.format === BATCH_FORMAT;
  const records: PredictionLogRecord[] = [];
  const recordLinesKept: string[] = [];
  const rejected: RejectedLogLine[] = [];
  for (let i = 1; i <= recordLines; i++) {
    const text = lines[i];
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      rejected.push({ line: i + 1, reason: 'not JSON', text });
      continue;
    }
    const parsed = isPredictionLogRecord(json) ? undefined : PredictionLogRecordSchema.safeParse(json);
    if (parsed && !parsed.success) {
      rejected.push({ line: i + 1, reason: issueText(parsed.error), text });
      continue;
    }
    const record = parsed ? parsed.data : (json as PredictionLogRecord);
    const kept = parsed ? encodeLine(packedRecord(record, toBase64)).line : text;
    // Most lines hold no packed run (records by feature name): one search settles it. Not for
    // '{"$float': a line from another JSON writer may have whitespace after the brace.
    const broken = packed && text.includes('"$float') ? unpackLogRecord(record) : undefined;
    if (broken) {
      rejected.push({ line: i + 1, reason: broken, text });
      continue;
    }
    records.push(record);
    recordLinesKept.push(kept);
  }
  return { id: header.batch, records, lines: recordLinesKept, rejected };
}
