import { createHmac, createSecretKey } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  SQS_PACKING_LIMITS,
  packMessages,
  packSendBatches,
  preparePredictionLogRecords,
  type PackingLimits,
  type PredictionLogEntry,
  type PredictionLogSink,
  type UnitHasher,
  jsonLogger,
  sleep,
  withFields,
  type Logger,
} from '@flywheel/core';
import type { S3Client } from '@aws-sdk/client-s3';
import { S3PredictionLogSpill, replaySpilledLogs, type ReplayResult } from './prediction-log-spill.ts';
import { encodeLogRecordNatively, logMessage, logMessageBody, queuedLogRecord, sendLogMessages, type LogMessage, type QueuedLogRecord } from './log-messages.ts';

export interface SqsPredictionLogSinkOptions {
  sqs: SQSClient;
  queueUrl: string;
  spill: S3PredictionLogSpill;
  /**
   * Key of the unit hash; per deployment, so hashes cannot be joined across deployments. Without
   * one, a fixed local key is used and a warning is printed when the first unit is hashed.
   */
  unitHashKey?: string;
  /** Records wait at most this long before they are sent (default 1 s). */
  flushIntervalMs?: number;
  /**
   * Buffered bytes that start a send before the interval is up (default: one message's worth, the
   * most a SendMessageBatch call carries, so no record waits behind a fuller buffer: a record kept
   * past a few young-generation GCs is promoted and costs a full GC to free).
   */
  flushAtBytes?: number;
  limits?: PackingLimits;
  /** SendMessageBatch attempts per message before it is spilled (default 4). */
  sendAttempts?: number;
  /** First retry delay; doubled per attempt, with jitter (default 50 ms). */
  retryBaseMs?: number;
  /** A send that takes longer is abandoned and retried (default 5 s): a hung queue must not hold logs. */
  sendTimeoutMs?: number;
  maxConcurrentSends?: number;
  /**
   * Bytes of messages kept in memory when neither the queue nor the spill takes them, retried on
   * every flush (default 64 MiB). Beyond it the oldest are dropped, counted and reported.
   */
  maxRetainedBytes?: number;
  /** Where warnings and errors go (default: JSON lines on the console). */
  logger?: Logger;
  /**
   * Whether this sink re-sends what was spilled once the queue takes messages again (default
   * true). The edge function leaves that to the API: replaying lists and deletes under `spill/`
   * in another region, in the background of a function that is frozen between requests.
   */
  replaysSpill?: boolean;
}

export interface PredictionLogSinkStats {
  /** Records handed to the queue. */
  sentRecords: number;
  sentMessages: number;
  /** Records written to the spill (and so replayed later). */
  spilledRecords: number;
  replayedBatches: number;
  /** Records lost: only when queue and spill both failed past `maxRetainedBytes`, or logged after close. */
  droppedRecords: number;
  retries: number;
}

/** HMAC-SHA256 of the unit under the key, base64url, 128 bits: stable per deployment, not reversible. */
export function hmacUnitHasher(key: string): UnitHasher {
  const secret = createSecretKey(Buffer.from(key, 'utf8'));
  return (unit) => createHmac('sha256', secret).update(unit).digest('base64url').slice(0, 22);
}

/** Units whose hashes are kept: sticky units come back request after request. */
const UNIT_HASHES_KEPT = 10_000;

/** `hash` remembering its most recent answers (oldest forgotten first), so a returning unit costs a lookup. */
function rememberingHasher(hash: UnitHasher): UnitHasher {
  const known = new Map<string, string>();
  return (unit) => {
    let hashed = known.get(unit);
    if (hashed === undefined) {
      hashed = hash(unit);
      if (known.size >= UNIT_HASHES_KEPT) known.delete(known.keys().next().value!);
      known.set(unit, hashed);
    }
    return hashed;
  };
}

/**
 * The request path's prediction log sink: buffers records, packs many per message (NDJSON, up to
 * 256 KiB) and several messages per SendMessageBatch call, sends after `flushIntervalMs` or once
 * `flushAtBytes` are buffered, retries failed entries with backoff, and spills what still fails to
 * S3, replaying the spill once the queue takes messages again. `log` never throws and never waits.
 *
 * `log` only queues the entry: sampling, redaction, unit hashing and encoding run in a batch on
 * the event loop's next turn (`setImmediate`), once the responses of the current turn are written,
 * or at the latest when `flush` or `close` is called — so they add nothing to a request's latency.
 */
export class SqsPredictionLogSink implements PredictionLogSink {
  readonly #options: Required<Omit<SqsPredictionLogSinkOptions, 'sqs' | 'spill' | 'unitHashKey' | 'replaysSpill'>>;
  readonly #replaysSpill: boolean;
  readonly #sqs: SQSClient;
  readonly #spill: S3PredictionLogSpill;
  readonly #hashUnit: UnitHasher;
  /** Entries handed over and not yet prepared. */
  #entries: PredictionLogEntry[] = [];
  #preparing: ReturnType<typeof setImmediate> | undefined;
  #buffer: QueuedLogRecord[] = [];
  #bufferedBytes = 0;
  #retained: LogMessage[] = [];
  #retainedBytes = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #drains: Promise<void> = Promise.resolve();
  #replay: Promise<ReplayResult> | undefined;
  // True at start so the first healthy send also replays what earlier processes spilled.
  #spillPending = true;
  #closed = false;
  readonly #stats: PredictionLogSinkStats = { sentRecords: 0, sentMessages: 0, spilledRecords: 0, replayedBatches: 0, droppedRecords: 0, retries: 0 };

  constructor(options: SqsPredictionLogSinkOptions) {
    this.#sqs = options.sqs;
    this.#spill = options.spill;
    this.#replaysSpill = options.replaysSpill ?? true;
    this.#options = {
      queueUrl: options.queueUrl,
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      flushAtBytes: options.flushAtBytes ?? (options.limits ?? SQS_PACKING_LIMITS).maxMessageBytes,
      limits: options.limits ?? SQS_PACKING_LIMITS,
      sendAttempts: options.sendAttempts ?? 4,
      retryBaseMs: options.retryBaseMs ?? 50,
      sendTimeoutMs: options.sendTimeoutMs ?? 5000,
      maxConcurrentSends: options.maxConcurrentSends ?? 8,
      maxRetainedBytes: options.maxRetainedBytes ?? 64 * 1024 * 1024,
      logger: withFields(options.logger ?? jsonLogger, { component: 'prediction-log-sink' }),
    };
    this.#hashUnit = rememberingHasher(options.unitHashKey ? hmacUnitHasher(options.unitHashKey) : this.#localHasher());
  }

  #localHasher(): UnitHasher {
    const hash = hmacUnitHasher(LOCAL_UNIT_HASH_KEY);
    let warned = false;
    return (unit) => {
      if (!warned) {
        warned = true;
        this.#options.logger.warn('FLYWHEEL_UNIT_HASH_KEY is not set; units are hashed with the fixed local key, which is no secret');
      }
      return hash(unit);
    };
  }

  log(entry: PredictionLogEntry): void {
    if (this.#closed) {
      this.#dropAfterClose(entry);
      return;
    }
    this.#entries.push(entry);
    this.#preparing ??= setImmediate(this.#prepareQueued);
  }

  flush(): Promise<void> {
    return this.#scheduleDrain();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#scheduleDrain();
    await this.#replay;
  }

  stats(): Readonly<PredictionLogSinkStats> {
    return { ...this.#stats };
  }

  /** Re-sends what this or any other process spilled; the sink also starts this itself after recovering. */
  replaySpill(): Promise<ReplayResult> {
    this.#replay ??= replaySpilledLogs(this.#spill, (body) => this.#sendOne(body))
      .then((result) => {
        this.#stats.replayedBatches += result.replayed;
        if (result.failed > 0) this.#spillPending = true;
        return result;
      })
      .finally(() => {
        this.#replay = undefined;
      });
    return this.#replay;
  }

  #dropAfterClose(entry: PredictionLogEntry): void {
    try {
      this.#stats.droppedRecords += Math.max(1, entry.rows.length);
      this.#options.logger.warn('prediction logged after the sink was closed; dropped', { endpoint: entry.endpoint });
    } catch {
      // `log` never throws, whatever it was handed.
    }
  }

  /** The batch step `log` schedules: prepares the queued entries, then sends or times the buffer. */
  readonly #prepareQueued = (): void => {
    this.#preparing = undefined;
    this.#prepare();
    if (this.#bufferedBytes >= this.#options.flushAtBytes) void this.#scheduleDrain();
    else if (this.#buffer.length > 0 && this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.#scheduleDrain(), this.#options.flushIntervalMs);
      this.#timer.unref?.();
    }
  };

  /**
   * Turns the queued entries into encoded records in the buffer. An entry that cannot be
   * prepared is reported and skipped; the others are kept.
   */
  #prepare(): void {
    if (this.#preparing !== undefined) {
      clearImmediate(this.#preparing);
      this.#preparing = undefined;
    }
    const entries = this.#entries;
    this.#entries = [];
    for (const entry of entries) {
      try {
        for (const record of preparePredictionLogRecords(entry, this.#hashUnit)) {
          const queued = queuedLogRecord(encodeLogRecordNatively(record));
          this.#buffer.push(queued);
          this.#bufferedBytes += queued.bytes;
        }
      } catch (error) {
        this.#options.logger.error('could not prepare a prediction log entry', { endpoint: entry?.endpoint, error: String(error) });
      }
    }
  }

  /** Drains run one after another, so a flush resolves only after everything handed over before it. */
  #scheduleDrain(): Promise<void> {
    this.#prepare();
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const records = this.#buffer;
    this.#buffer = [];
    this.#bufferedBytes = 0;
    this.#drains = this.#drains
      .then(() => this.#drain(records))
      .catch((error) => {
        this.#options.logger.error('prediction log drain failed', { error: String(error) });
      });
    return this.#drains;
  }

  async #drain(records: QueuedLogRecord[]): Promise<void> {
    const messages = [...this.#retained, ...packMessages(records, this.#options.limits.maxMessageBytes).map((run) => logMessage(crypto.randomUUID(), run))];
    this.#retained = [];
    this.#retainedBytes = 0;
    if (messages.length === 0) return;
    const batches = packSendBatches(messages, this.#options.limits);
    let allSent = true;
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const unsent = await this.#sendBatch(batches[next++]);
        if (unsent.length > 0) {
          allSent = false;
          await this.#spillOrRetain(unsent);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#options.maxConcurrentSends, batches.length) }, worker));
    if (allSent && this.#spillPending && this.#replaysSpill) {
      this.#spillPending = false;
      void this.replaySpill();
    }
    if (this.#retained.length > 0 && !this.#closed && this.#timer === undefined) {
      this.#timer = setTimeout(() => void this.#scheduleDrain(), this.#options.flushIntervalMs);
      this.#timer.unref?.();
    }
  }

  /** Sends with retries; returns the messages the queue never took. */
  async #sendBatch(messages: LogMessage[]): Promise<LogMessage[]> {
    let pending = messages;
    for (let attempt = 1; ; attempt++) {
      try {
        const { refused, reasons } = await sendLogMessages(this.#sqs, this.#options.queueUrl, pending, {
          abortSignal: AbortSignal.timeout(this.#options.sendTimeoutMs),
        });
        for (const message of pending) {
          if (refused.includes(message)) continue;
          this.#stats.sentMessages++;
          this.#stats.sentRecords += message.records.length;
        }
        pending = refused;
        if (pending.length > 0) this.#options.logger.warn('queue refused log messages', { count: pending.length, reasons });
      } catch (error) {
        this.#options.logger.warn('sending prediction logs failed', { attempt, messages: pending.length, error: String(error) });
      }
      if (pending.length === 0 || attempt >= this.#options.sendAttempts) return pending;
      this.#stats.retries++;
      await sleep(this.#options.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
    }
  }

  async #sendOne(body: string): Promise<void> {
    await this.#sqs.send(new SendMessageCommand({ QueueUrl: this.#options.queueUrl, MessageBody: body }), {
      abortSignal: AbortSignal.timeout(this.#options.sendTimeoutMs),
    });
  }

  async #spillOrRetain(messages: LogMessage[]): Promise<void> {
    for (const message of messages) {
      try {
        await this.#spill.write(message.batchId, logMessageBody(message));
        this.#stats.spilledRecords += message.records.length;
        this.#spillPending = true;
      } catch (error) {
        this.#options.logger.error('spilling prediction logs failed; keeping them for the next flush', { batch: message.batchId, error: String(error) });
        this.#retain(message);
      }
    }
  }

  #retain(message: LogMessage): void {
    this.#retained.push(message);
    this.#retainedBytes += message.bytes;
    while (this.#retainedBytes > this.#options.maxRetainedBytes && this.#retained.length > 0) {
      const dropped = this.#retained.shift()!;
      this.#retainedBytes -= dropped.bytes;
      this.#stats.droppedRecords += dropped.records.length;
      this.#options.logger.error('prediction logs dropped: queue and spill unavailable for too long', { batch: dropped.batchId, records: dropped.records.length });
    }
  }
}

/** Used when FLYWHEEL_UNIT_HASH_KEY is unset: fine on a laptop, wrong for a deployment. */
export const LOCAL_UNIT_HASH_KEY = 'flywheel-local-unit-hash-key';

/**
 * The deployment's prediction log: the queue, spilling to the bucket when the queue refuses, units
 * hashed under the deployment's key. What the API and the edge function both log to.
 */
export function createPredictionLogSink(
  clients: { sqs: SQSClient; s3: S3Client },
  names: { queueUrl: string; bucket: string; unitHashKey?: string },
  options: Pick<SqsPredictionLogSinkOptions, 'replaysSpill' | 'sendAttempts' | 'sendTimeoutMs' | 'logger'> = {},
): SqsPredictionLogSink {
  return new SqsPredictionLogSink({
    sqs: clients.sqs,
    queueUrl: names.queueUrl,
    spill: new S3PredictionLogSpill(clients.s3, names.bucket),
    unitHashKey: names.unitHashKey,
    ...options,
  });
}
