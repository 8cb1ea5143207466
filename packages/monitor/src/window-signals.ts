import {
  evaluateDrift,
  latencyQuantile,
  mergeLatencyHistograms,
  serviceHealthSignals,
  createLatencyHistogram,
  alertKeyId,
  type AlertKey,
  type AlertSignal,
  type ColumnReference,
  type ColumnWindow,
  type DriftOptionsInput,
  type DriftReport,
  type ReferenceProfile,
  type ServiceHealthThresholdsInput,
  type WindowKey,
  type WindowState,
} from '@flywheel/core';

/**
 * When a column's data quality breaches: the worst of its missing share (above the baseline's
 * own), type errors, out-of-reference-range values and new categories exceeds `maxRate`.
 */
export interface QualityThresholds {
  readonly maxRate: number;
  /** Rows a window needs before its quality can breach. */
  readonly minRecords: number;
}
export const DEFAULT_QUALITY_THRESHOLDS: QualityThresholds = { maxRate: 0.05, minRecords: 100 };

export interface SignalOptions {
  readonly drift?: DriftOptionsInput;
  readonly health?: ServiceHealthThresholdsInput;
  readonly quality?: QualityThresholds;
}

export interface WindowForSignals {
  readonly key: WindowKey;
  readonly state: WindowState;
  /** The profile of the window's model version; without one only health is judged. */
  readonly profile?: ReferenceProfile;
}

export interface KeyedSignal {
  readonly key: AlertKey;
  readonly signal: AlertSignal;
  /** Variants whose windows breached. */
  readonly variants: readonly string[];
}

export interface WindowVerdict {
  /** The keys the look could decide: breached or clean. */
  readonly signals: KeyedSignal[];
  /**
   * Columns the look had too little data to decide (below the minimum sample): their alerts stay
   * as they are, so a quiet spell neither opens nor resolves a drift or quality alert.
   */
  readonly undecided: AlertKey[];
  /** The drift report of each window that has a sketch of its current profile. */
  readonly reports: { readonly key: WindowKey; readonly report: DriftReport; readonly records: number }[];
}

function qualityRate(reference: ColumnReference, column: ColumnWindow, rows: number): number {
  const referenceRows = reference.count + reference.missing + reference.typeErrors;
  const missingExcess = column.missing / rows - reference.missing / referenceRows;
  const valid = Math.max(column.count, 1);
  const unexpected = column.kind === 'numerical' ? (column.bins[0] + column.bins[column.bins.length - 1]) / valid : column.newCategory / valid;
  return Math.max(missingExcess, column.typeErrors / rows, unexpected);
}

/**
 * The alert signals of one look at an endpoint, over all its windows (variants × versions, each
 * the merge of the look's span): drift and quality per column, error rate and latency for the
 * endpoint. A key breaches when any variant's window breaches (its value is the worst), so one
 * alert covers them all.
 */
export function windowSignals(endpoint: string, windowEnd: string, windows: readonly WindowForSignals[], options: SignalOptions = {}): WindowVerdict {
  const quality = options.quality ?? DEFAULT_QUALITY_THRESHOLDS;
  const combined = new Map<string, { key: AlertKey; signal: AlertSignal; variants: Set<string> }>();
  const undecided = new Map<string, AlertKey>();
  const add = (key: AlertKey, signal: Omit<AlertSignal, 'windowEnd'>, variant: string, decided = true) => {
    const id = alertKeyId(key);
    if (!decided) {
      if (!combined.has(id)) undecided.set(id, key);
      return;
    }
    undecided.delete(id);
    const previous = combined.get(id);
    const value = previous ? Math.max(previous.signal.value, signal.value) : signal.value;
    const breached = (previous?.signal.breached ?? false) || signal.breached;
    const variants = previous?.variants ?? new Set<string>();
    if (signal.breached) variants.add(variant);
    combined.set(id, { key, signal: { breached, value, threshold: signal.threshold, windowEnd }, variants });
  };

  const reports: WindowVerdict['reports'] = [];
  let health = createLatencyHistogram();
  for (const { key, state, profile } of windows) {
    health = mergeLatencyHistograms(health, state.health);
    const sketch = state.sketch;
    if (!profile || !sketch || sketch.profile !== profile.fingerprint) continue;
    const report = evaluateDrift(profile, sketch, options.drift);
    reports.push({ key, report, records: sketch.records });
    const redacted = new Set(state.redacted);
    for (const column of [...report.features, ...report.predictions]) {
      if (redacted.has(column.name)) continue;
      add(
        { endpoint, kind: 'drift', feature: column.name },
        { breached: column.drifted, value: column.statistic ?? 0, threshold: column.threshold },
        key.variant,
        !column.insufficientData,
      );
    }
    const references = [...profile.features, ...profile.outputs];
    const columns = [...sketch.features, ...sketch.outputs];
    references.forEach((reference, i) => {
      if (redacted.has(reference.name) || sketch.records === 0) return;
      const value = qualityRate(reference, columns[i], sketch.records);
      const decided = sketch.records >= quality.minRecords;
      add(
        { endpoint, kind: 'quality', feature: reference.name },
        { breached: decided && value > quality.maxRate, value: Math.max(0, value), threshold: quality.maxRate },
        key.variant,
        decided,
      );
    });
  }

  const stats = { windowEnd, requests: health.count, errors: health.errors, p95LatencyMs: latencyQuantile(health, 0.95) };
  // Health decides even on few requests (they count clean, see serviceHealthSignals), so an
  // error-rate alert still resolves when traffic stops; a drift alert has no such evidence.
  for (const { kind, signal } of serviceHealthSignals(stats, options.health)) {
    const id = alertKeyId({ endpoint, kind });
    const breachedVariants = signal.breached ? windows.map((w) => w.key.variant) : [];
    combined.set(id, { key: { endpoint, kind }, signal, variants: new Set(breachedVariants) });
  }
  return {
    signals: [...combined.values()].map(({ key, signal, variants }) => ({ key, signal, variants: [...variants].sort() })),
    undecided: [...undecided.values()],
    reports,
  };
}
