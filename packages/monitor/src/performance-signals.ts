import {
  alertKeyId,
  mergePerformance,
  performanceChecks,
  performanceFigures,
  type AlertKey,
  type AlertSignal,
  type PerformanceScoreStore,
  type PerformanceScores,
  type PerformanceState,
  type PerformanceThresholdsInput,
  type VersionCache,
  type WindowKey,
  type WindowState,
} from '@flywheel/core';
import type { KeyedSignal } from './window-signals.ts';
import type { SignalSource } from './judge.ts';

export interface PerformanceVerdict {
  readonly signals: KeyedSignal[];
  /** Metrics no series had enough rows for: their alerts stay as they are. */
  readonly undecided: AlertKey[];
  readonly scores: PerformanceScores[];
}

/** A version's windows of one variant merged: what its figures are computed on. */
export interface VersionSeries {
  readonly variant: string;
  readonly model: string;
  readonly version: number;
  readonly windows: readonly { readonly key: WindowKey; readonly state: WindowState }[];
  readonly performance: PerformanceState | undefined;
}

/** The windows grouped by variant and model version, each group's performance merged; oldest window first. */
export function versionSeries(windows: readonly { readonly key: WindowKey; readonly state: WindowState }[]): VersionSeries[] {
  const groups = new Map<
    string,
    { variant: string; model: string; version: number; windows: { key: WindowKey; state: WindowState }[]; performance: PerformanceState | undefined }
  >();
  for (const w of [...windows].sort((a, b) => (a.key.start < b.key.start ? -1 : a.key.start > b.key.start ? 1 : 0))) {
    const id = [w.key.variant, w.key.model, w.key.version].join('\u0000');
    const group = groups.get(id) ?? { variant: w.key.variant, model: w.key.model, version: w.key.version, windows: [], performance: undefined };
    group.windows.push(w);
    group.performance = mergePerformance(group.performance, w.state.performance);
    groups.set(id, group);
  }
  return [...groups.values()];
}

/**
 * The `performance` alert signals of an endpoint over a range of its windows (all of one end):
 * per variant and model version, realized accuracy (or RMSE) from joined labels and the
 * confidence-based estimate of accuracy, each against the version's reference performance. A
 * key (`feature` = the metric) breaches when any variant's figure does; its value is the worst
 * drop. Versions without a reference are reported, not judged.
 */
export async function performanceSignals(
  endpoint: string,
  range: { start: string; end: string },
  windows: readonly { readonly key: WindowKey; readonly state: WindowState }[],
  versions: Pick<VersionCache, 'get'>,
  options: PerformanceThresholdsInput = {},
): Promise<PerformanceVerdict> {
  const combined = new Map<string, { key: AlertKey; signal: AlertSignal; variants: Set<string> }>();
  const scores: PerformanceScores[] = [];
  const undecided = new Map<string, AlertKey>();
  for (const series of versionSeries(windows)) {
    if (!series.performance) continue;
    const figures = performanceFigures(series.performance);
    scores.push({ endpoint, variant: series.variant, model: series.model, version: series.version, windowStart: range.start, windowEnd: range.end, ...figures });
    const reference = (await versions.get(series.model, series.version))?.reference;
    for (const check of performanceChecks(figures, reference, options)) {
      const key: AlertKey = { endpoint, kind: 'performance', feature: check.metric };
      const id = alertKeyId(key);
      if (!check.decided) {
        undecided.set(id, key);
        continue;
      }
      const previous = combined.get(id);
      const variants = previous?.variants ?? new Set<string>();
      if (check.breached) variants.add(series.variant);
      const value = Math.max(previous?.signal.value ?? -Infinity, check.drop);
      combined.set(id, { key, signal: { breached: (previous?.signal.breached ?? false) || check.breached, value, threshold: check.threshold, windowEnd: range.end }, variants });
    }
  }
  return {
    signals: [...combined.values()].map(({ key, signal, variants }) => ({ key, signal, variants: [...variants].sort() })),
    undecided: [...undecided].filter(([id]) => !combined.has(id)).map(([, key]) => key),
    scores,
  };
}

/** Performance as a source of the judge's signals: each look's figures are judged and kept for `/metrics`. */
export function performanceSignalSource(versions: Pick<VersionCache, 'get'>, store: PerformanceScoreStore | undefined, options?: PerformanceThresholdsInput): SignalSource {
  return async (look) => {
    const verdict = await performanceSignals(look.endpoint.endpoint, { start: look.from, end: look.to }, look.series, versions, options);
    for (const scores of verdict.scores) await store?.put(scores);
    return { signals: verdict.signals, undecided: verdict.undecided };
  };
}
