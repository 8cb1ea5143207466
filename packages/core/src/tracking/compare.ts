import type { TrackingRun } from './model.ts';
import { validateKey } from './run-changes.ts';
import { searchRuns } from './search.ts';

/** Metrics where smaller is better: errors and losses. */
const ERROR_METRIC = /(^|[._/-])(rmse|mse|mae|mape|loss|logloss|error)$/i;

export function lowerIsBetter(metric: string): boolean {
  return ERROR_METRIC.test(metric) || /logLoss$/.test(metric);
}

export interface RunComparison {
  readonly order?: { readonly metric: string; readonly direction: 'asc' | 'desc' };
  /** Every param and metric key any compared run has: the columns of a side-by-side table. */
  readonly columns: { readonly params: readonly string[]; readonly metrics: readonly string[] };
  readonly runs: readonly TrackingRun[];
}

/**
 * A model's runs side by side, best first on `metric` (descending, or ascending for an error
 * metric, unless `direction` says otherwise), runs without the metric last; newest first without one.
 */
export function compareRuns(runs: readonly TrackingRun[], options: { metric?: string; direction?: 'asc' | 'desc'; limit: number }): RunComparison {
  const metric = options.metric === undefined ? undefined : validateKey('metric', options.metric);
  const direction = options.direction ?? (metric !== undefined && lowerIsBetter(metric) ? 'asc' : 'desc');
  const { items } = searchRuns(runs, { maxResults: options.limit, orderBy: metric ? [`metrics.\`${metric}\` ${direction.toUpperCase()}`] : [] });
  const keys = (pick: (run: TrackingRun) => object) => [...new Set(items.flatMap((run) => Object.keys(pick(run))))].sort();
  return {
    ...(metric ? { order: { metric, direction } } : {}),
    columns: { params: keys((run) => run.params), metrics: keys((run) => run.metrics) },
    runs: items,
  };
}
