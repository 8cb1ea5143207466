import { performanceFigures, type PerformanceFigures, type ReferencePerformance, type WindowStore, type VersionCache, windowEnd } from '@flywheel/core';
import { versionSeries } from './performance-signals.ts';

export interface PerformanceQuery {
  readonly endpoint: string;
  /** Windows starting in [from, to) are read. */
  readonly from: string;
  readonly to: string;
  readonly variant?: string;
}

export interface WindowPerformance extends PerformanceFigures {
  readonly from: string;
  readonly to: string;
}

/** One variant serving one model version over the range: per window, and all its windows merged. */
export interface SeriesPerformance extends PerformanceFigures {
  readonly variant: string;
  readonly model: string;
  readonly version: number;
  /** What the version's training measured on its holdout; null when it registered none. */
  readonly reference: ReferencePerformance | null;
  readonly windows: WindowPerformance[];
}

/**
 * An endpoint's performance over a time range, per variant and model version: realized from
 * joined labels and estimated from the served rows' probabilities, for each window that has
 * either, and merged over the range (exact: the windows hold counts). Newest-serving series first.
 */
export async function queryPerformance(windows: Pick<WindowStore, 'list'>, versions: Pick<VersionCache, 'get'>, query: PerformanceQuery): Promise<SeriesPerformance[]> {
  const listed = (await windows.list(query.endpoint, query.from, query.to)).filter((w) => query.variant === undefined || w.key.variant === query.variant);
  const series = versionSeries(listed).filter((s) => s.performance !== undefined);
  const found = await Promise.all(
    series.map(async (s) => ({
      variant: s.variant,
      model: s.model,
      version: s.version,
      reference: (await versions.get(s.model, s.version))?.reference ?? null,
      ...performanceFigures(s.performance),
      windows: s.windows.filter((w) => w.state.performance).map((w) => ({ from: w.key.start, to: windowEnd(w.key.start), ...performanceFigures(w.state.performance) })),
    })),
  );
  const latest = (s: SeriesPerformance) => s.windows.at(-1)?.from ?? '';
  return found.sort((a, b) => (latest(a) === latest(b) ? a.variant.localeCompare(b.variant) : latest(a) < latest(b) ? 1 : -1));
}
