import type { DriftReport } from '../drift/evaluate.ts';
import type { SeriesScores } from './series-scores.ts';
import type { WindowKey } from './window-key.ts';

/** The drift scores of the latest evaluated window of one endpoint variant and model version. */
export interface DriftScores extends SeriesScores {
  readonly records: number;
  readonly columns: readonly {
    readonly name: string;
    readonly role: 'feature' | 'prediction';
    readonly method: string;
    readonly statistic: number | null;
    readonly drifted: boolean;
  }[];
}

export function driftScores(key: WindowKey, windowEnd: string, report: DriftReport, records: number): DriftScores {
  const columns = (role: 'feature' | 'prediction', list: DriftReport['features']) =>
    list.map((c) => ({ name: c.name, role, method: c.method, statistic: c.statistic, drifted: c.drifted }));
  return {
    endpoint: key.endpoint,
    variant: key.variant,
    model: key.model,
    version: key.version,
    windowStart: key.start,
    windowEnd,
    records,
    columns: [...columns('feature', report.features), ...columns('prediction', report.predictions)],
  };
}
