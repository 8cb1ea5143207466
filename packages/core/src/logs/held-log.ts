import type { PredictionLogEntry, PredictionLogSink } from './entry.ts';

/**
 * A sink that holds what it is handed until `flush`, which passes it on, or `discard`, which
 * drops it. For a function that may hand a request on after serving it — the edge function
 * forwards an answer too large for CloudFront to the origin, which serves and logs it again — so
 * the request is logged once, by whoever answers it. Holds a single invocation's entries: meant
 * for a runtime that serves one request at a time (Lambda, Lambda@Edge).
 */
export class HeldPredictionLog implements PredictionLogSink {
  #held: PredictionLogEntry[] = [];

  constructor(private readonly sink: PredictionLogSink) {}

  log(entry: PredictionLogEntry): void {
    this.#held.push(entry);
  }

  /** Drops what is held: it was not answered here. */
  discard(): void {
    this.#held = [];
  }

  flush(): Promise<void> {
    this.#release();
    return this.sink.flush();
  }

  close(): Promise<void> {
    this.#release();
    return this.sink.close();
  }

  #release(): void {
    const held = this.#held;
    this.#held = [];
    for (const entry of held) this.sink.log(entry);
  }
}
