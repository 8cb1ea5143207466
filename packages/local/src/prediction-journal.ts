import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { jsonLogger, withFields, type Logger, type PredictionLogEntry, type PredictionLogSink } from '@flywheel/core';

export interface PredictionJournalOptions {
  /** Where segments are kept (the data dir's `journal/`). */
  dir: string;
  /** How often the open segment is closed and, once the sink has sent it, deleted (default 1 s). */
  rotateEveryMs?: number;
  logger?: Logger;
}

/**
 * Makes `npm start`'s prediction log survive `kill -9`: every entry is appended to the open journal
 * segment before `log` returns, so before its response is written; the sink's own buffer is lost
 * with the process, the journal is not (a write() is in the kernel once it returns). Segments are
 * rotated on a timer and deleted once the sink has flushed everything handed to it before the
 * rotation; on start, segments a dead process left are handed to the sink again. A crash between
 * a send and the deletion sends those entries twice (a window of one flush); in Lambda there is
 * nothing to journal, the handler flushes before it answers.
 */
export class JournaledPredictionLog implements PredictionLogSink {
  readonly #inner: PredictionLogSink;
  readonly #dir: string;
  readonly #logger: Logger;
  #segment: Segment;
  #sequence = 0;
  #timer: ReturnType<typeof setInterval>;
  #rotating: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(inner: PredictionLogSink, options: PredictionJournalOptions) {
    this.#inner = inner;
    this.#dir = options.dir;
    this.#logger = withFields(options.logger ?? jsonLogger, { component: 'prediction-journal' });
    this.#segment = this.#open();
    this.#timer = setInterval(() => void this.#rotate(), options.rotateEveryMs ?? 1000);
    this.#timer.unref();
  }

  /** Hands what earlier processes journaled to `inner` first, then journals from here on. */
  static async open(inner: PredictionLogSink, options: PredictionJournalOptions): Promise<{ log: JournaledPredictionLog; recovered: number }> {
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const left = readdirSync(options.dir)
      .filter((name) => name.endsWith('.ndjson'))
      .sort();
    let recovered = 0;
    for (const name of left) {
      for (const line of readFileSync(join(options.dir, name), 'utf8').split('\n')) {
        // The last line of a segment cut by the crash may be partial: it was never acknowledged.
        if (!line) continue;
        try {
          inner.log(JSON.parse(line) as PredictionLogEntry);
          recovered++;
        } catch {
          options.logger?.warn('skipped a partial journal line', { segment: name });
        }
      }
    }
    await inner.flush();
    for (const name of left) rmSync(join(options.dir, name), { force: true });
    return { log: new JournaledPredictionLog(inner, options), recovered };
  }

  log(entry: PredictionLogEntry): void {
    if (!this.#closed) {
      try {
        writeSync(this.#segment.fd, `${journalLine(entry)}\n`);
        this.#segment.entries++;
      } catch (error) {
        // `log` never throws: without the journal the entry still goes the sink's way.
        this.#logger.warn('journaling a prediction failed', { error: String(error) });
      }
    }
    this.#inner.log(entry);
  }

  flush(): Promise<void> {
    return this.#rotate();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#rotate();
    await this.#inner.close();
    this.#remove(this.#segment);
  }

  #open(): Segment {
    // Time first, so segments sort in the order they were written across restarts.
    const path = join(this.#dir, `${Date.now().toString().padStart(15, '0')}-${process.pid}-${this.#sequence++}.ndjson`);
    return { path, fd: openSync(path, 'a', 0o600), entries: 0, removed: false };
  }

  /** Closes the open segment and deletes it once the sink has sent what it holds. */
  #rotate(): Promise<void> {
    this.#rotating = this.#rotating.then(async () => {
      const done = this.#segment;
      if (done.entries === 0) return this.#inner.flush();
      if (!this.#closed) this.#segment = this.#open();
      await this.#inner.flush();
      this.#remove(done);
    });
    return this.#rotating;
  }

  #remove(segment: Segment): void {
    if (segment.removed) return;
    segment.removed = true;
    try {
      closeSync(segment.fd);
      rmSync(segment.path, { force: true });
    } catch (error) {
      this.#logger.warn('removing a sent journal segment failed', { segment: segment.path, error: String(error) });
    }
  }
}

/**
 * An entry as plain JSON: the request path hands over objects that derive their fields lazily
 * (getters), and outputs as typed arrays, neither of which JSON.stringify writes as the values.
 */
function journalLine(entry: PredictionLogEntry): string {
  const plain: PredictionLogEntry = {
    requestId: entry.requestId,
    time: entry.time,
    endpoint: entry.endpoint,
    variant: entry.variant,
    model: entry.model,
    version: entry.version,
    configVersion: entry.configVersion,
    unit: entry.unit,
    rows: entry.rows.map((row) => ({ inputs: row.inputs, outputs: row.outputs, agreement: row.agreement })),
    latencyMs: entry.latencyMs,
    status: entry.status,
    error: entry.error,
    chosen: entry.chosen,
    shadowOf: entry.shadowOf,
    logging: { percent: entry.logging.percent, redact: entry.logging.redact },
  };
  return JSON.stringify(plain, (_, value: unknown) =>
    typeof value === 'bigint' ? Number(value) : ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as unknown as ArrayLike<number>) : value,
  );
}

interface Segment {
  readonly path: string;
  readonly fd: number;
  entries: number;
  removed: boolean;
}
