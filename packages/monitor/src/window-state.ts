import {
  createLatencyHistogram,
  createWindowSketch,
  mergeLatencyHistograms,
  mergeSketches,
  observe,
  outputColumns,
  recordRequest,
  type LatencyHistogram,
  type PredictionLogRecord,
  type ReferenceProfile,
  type WindowSketch,
} from '@flywheel/core';

/**
 * Everything monitoring keeps about one window. Fixed-size however much traffic it counts: the
 * health histogram has a fixed layout and the sketch the reference profile's bins.
 */
export interface WindowState {
  /** Rows logged (every status). */
  readonly records: number;
  /** Requests (a request's row 0), their errors and latency. */
  readonly health: LatencyHistogram;
  /**
   * Successful rows counted over the reference profile's bins; null until the model version has a
   * baseline. When the baseline is replaced, counting restarts under the new profile.
   */
  readonly sketch: WindowSketch | null;
  /** Fields the endpoint's policy redacts: absent by design, so not a data-quality problem. */
  readonly redacted: readonly string[];
}

export function emptyWindowState(profile: ReferenceProfile | undefined): WindowState {
  return { records: 0, health: createLatencyHistogram(), sketch: profile ? createWindowSketch(profile) : null, redacted: [] };
}

/** Builds the state of a run of records, all of one window (mutable while it is built). */
export class WindowStateBuilder {
  #records = 0;
  readonly #health = createLatencyHistogram();
  readonly #sketch: WindowSketch | null;
  readonly #redacted = new Set<string>();

  constructor(private readonly profile: ReferenceProfile | undefined) {
    this.#sketch = profile ? createWindowSketch(profile) : null;
  }

  add(record: PredictionLogRecord): void {
    this.#records++;
    // A request of n rows is one request with one latency: counting it n times would weigh
    // batch requests n-fold in the latency quantiles and error rate.
    if (record.id.endsWith('/0')) recordRequest(this.#health, record.latencyMs, record.status === 'error');
    if (record.redacted) for (const name of record.redacted) this.#redacted.add(name);
    if (this.#sketch && record.status === 'ok') {
      observe(this.#sketch, this.profile!, { features: record.inputs, outputs: record.outputs ? outputColumns(record.outputs) : undefined });
    }
  }

  build(): WindowState {
    return { records: this.#records, health: this.#health, sketch: this.#sketch, redacted: [...this.#redacted].sort() };
  }
}

function mergeWindowSketches(a: WindowSketch | null, b: WindowSketch | null): WindowSketch | null {
  if (a === null) return b;
  if (b === null) return a;
  // A sketch of a replaced baseline cannot be merged with one of the current baseline; the
  // newer profile wins (see WindowState.sketch), which `b`, the incoming delta, carries.
  return a.profile === b.profile ? mergeSketches(a, b) : b;
}

/** The state of both together; `b` is the newer (incoming) side. */
export function mergeWindowStates(a: WindowState, b: WindowState): WindowState {
  return {
    records: a.records + b.records,
    health: mergeLatencyHistograms(a.health, b.health),
    sketch: mergeWindowSketches(a.sketch, b.sketch),
    redacted: [...new Set([...a.redacted, ...b.redacted])].sort(),
  };
}
