import type { ReferenceProfile } from '../drift/reference-profile.ts';
import { createWindowSketch, mergeSketches, observe, type WindowSketch } from '../drift/window-sketch.ts';
import { outputColumns } from '../logs/output-columns.ts';
import type { PredictionLogRecord } from '../logs/record.ts';
import type { ClassCounts } from '../performance/class-counts.ts';
import { addServedRow, mergePerformance, type PerformanceState } from '../performance/performance-state.ts';
import type { Task } from '../registry/metadata.ts';
import { createLatencyHistogram, mergeLatencyHistograms, recordRequest, type LatencyHistogram } from '../serving-health/latency-histogram.ts';

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
  /**
   * `health` split by the endpoint config version that served each request, so a canary step is
   * judged on exactly the traffic served under it. Bounded by the config changes in the hour, not
   * by traffic. Absent in windows stored before it existed.
   */
  readonly healthByConfig?: Readonly<Record<string, LatencyHistogram>>;
  /** Shadow windows: how the shadow's rows compared with the primary's. */
  readonly agreement?: AgreementCounts;
  /**
   * The model's performance in the window (see `PerformanceState` in core): estimated at ingest
   * from the rows' class probabilities, realized as feedback joins. Absent until there is some.
   */
  readonly performance?: PerformanceState;
}

/** Sums over a shadow's rows of their `agreement` (see `compareRowOutputs` in core). */
export interface AgreementCounts {
  /** Rows whose class both sides had, and those where it was the same. */
  readonly classified: number;
  readonly agreed: number;
  /** Rows with numeric values to compare, and the sum of their mean absolute differences. */
  readonly compared: number;
  readonly absDiffSum: number;
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
  readonly #healthByConfig: Record<string, LatencyHistogram> = {};
  #agreement: { classified: number; agreed: number; compared: number; absDiffSum: number } | undefined;
  #estimated: ClassCounts | undefined;

  /** `task`: the model version's, when it names one; a classifier's probabilities are then counted for the performance estimate. */
  constructor(
    private readonly profile: ReferenceProfile | undefined,
    private readonly task?: Task,
  ) {
    this.#sketch = profile ? createWindowSketch(profile) : null;
  }

  add(record: PredictionLogRecord): void {
    this.#records++;
    // A request of n rows is one request with one latency: counting it n times would weigh
    // batch requests n-fold in the latency quantiles and error rate.
    if (record.id.endsWith('/0')) {
      const failed = record.status === 'error';
      recordRequest(this.#health, record.latencyMs, failed);
      recordRequest((this.#healthByConfig[record.configVersion] ??= createLatencyHistogram()), record.latencyMs, failed);
    }
    if (record.agreement) {
      const counts = (this.#agreement ??= { classified: 0, agreed: 0, compared: 0, absDiffSum: 0 });
      if (record.agreement.argmax !== undefined) {
        counts.classified++;
        if (record.agreement.argmax) counts.agreed++;
      }
      if (record.agreement.absDiff !== undefined) {
        counts.compared++;
        counts.absDiffSum += record.agreement.absDiff;
      }
    }
    if (record.redacted) for (const name of record.redacted) this.#redacted.add(name);
    if (this.task && record.status === 'ok') this.#estimated = addServedRow(this.#estimated, this.task, record.outputs);
    if (this.#sketch && record.status === 'ok') {
      observe(this.#sketch, this.profile!, { features: record.inputs, outputs: record.outputs ? outputColumns(record.outputs) : undefined });
    }
  }

  build(): WindowState {
    return {
      records: this.#records,
      health: this.#health,
      sketch: this.#sketch,
      redacted: [...this.#redacted].sort(),
      healthByConfig: this.#healthByConfig,
      ...(this.#agreement ? { agreement: this.#agreement } : {}),
      ...(this.#estimated ? { performance: { estimated: this.#estimated } } : {}),
    };
  }
}

function mergeWindowSketches(a: WindowSketch | null, b: WindowSketch | null): WindowSketch | null {
  if (a === null) return b;
  if (b === null) return a;
  // A sketch of a replaced baseline cannot be merged with one of the current baseline; the
  // newer profile wins (see WindowState.sketch), which `b`, the incoming delta, carries.
  return a.profile === b.profile ? mergeSketches(a, b) : b;
}

function mergeHealthByConfig(a: WindowState['healthByConfig'] = {}, b: WindowState['healthByConfig'] = {}): Record<string, LatencyHistogram> {
  const merged: Record<string, LatencyHistogram> = { ...a };
  for (const [configVersion, histogram] of Object.entries(b)) {
    merged[configVersion] = merged[configVersion] ? mergeLatencyHistograms(merged[configVersion], histogram) : histogram;
  }
  return merged;
}

export function mergeAgreementCounts(a: AgreementCounts | undefined, b: AgreementCounts | undefined): AgreementCounts | undefined {
  if (!a || !b) return a ?? b;
  return { classified: a.classified + b.classified, agreed: a.agreed + b.agreed, compared: a.compared + b.compared, absDiffSum: a.absDiffSum + b.absDiffSum };
}

/** The state of both together; `b` is the newer (incoming) side. */
export function mergeWindowStates(a: WindowState, b: WindowState): WindowState {
  const agreement = mergeAgreementCounts(a.agreement, b.agreement);
  const performance = mergePerformance(a.performance, b.performance);
  return {
    records: a.records + b.records,
    health: mergeLatencyHistograms(a.health, b.health),
    sketch: mergeWindowSketches(a.sketch, b.sketch),
    redacted: [...new Set([...a.redacted, ...b.redacted])].sort(),
    healthByConfig: mergeHealthByConfig(a.healthByConfig, b.healthByConfig),
    ...(agreement ? { agreement } : {}),
    ...(performance ? { performance } : {}),
  };
}
