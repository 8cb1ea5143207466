import {
  createLatencyHistogram,
  errorRate,
  evaluateDrift,
  featureDistribution,
  latencyQuantile,
  mergeLatencyHistograms,
  mergeSketches,
  type DriftOptionsInput,
  type DriftReport,
  type FeatureDistribution,
  type WindowSketch,
  type ProfileSource,
  type StoredWindow,
  type WindowStore,
} from '@flywheel/core';
import { listServedWindows } from './window-range.ts';

export interface DriftQuery {
  readonly endpoint: string;
  /** Traffic in [from, to) is merged; both ISO 8601 on whole minutes (see `listServedWindows`). */
  readonly from: string;
  readonly to: string;
  readonly variant?: string;
  /** A column (feature or prediction output) whose reference and current distribution to add. */
  readonly feature?: string;
}

export interface ServingHealth {
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number;
  /** Milliseconds; null without requests. */
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

export interface VersionCount {
  readonly model: string;
  readonly version: number;
  readonly records: number;
}

export type DriftQueryResult =
  /** No traffic in the range. */
  | { readonly status: 'empty'; readonly health: ServingHealth }
  /** Traffic, but the version it would be judged for has no baseline. */
  | { readonly status: 'no-baseline'; readonly model: string; readonly version: number; readonly versions: VersionCount[]; readonly health: ServingHealth }
  | {
      readonly status: 'ok';
      readonly model: string;
      readonly version: number;
      /** Rows in the merged sketch: what the statistics were computed on. */
      readonly count: number;
      readonly report: DriftReport;
      /** The asked-for column's distribution; undefined when none was asked for or the profile has no such column. */
      readonly distribution?: FeatureDistribution;
      readonly versions: VersionCount[];
      readonly health: ServingHealth;
    };

function healthOf(windows: readonly StoredWindow[]): ServingHealth {
  const histogram = windows.reduce((merged, w) => mergeLatencyHistograms(merged, w.state.health), createLatencyHistogram());
  return {
    requests: histogram.count,
    errors: histogram.errors,
    errorRate: errorRate(histogram),
    p50: latencyQuantile(histogram, 0.5),
    p95: latencyQuantile(histogram, 0.95),
    p99: latencyQuantile(histogram, 0.99),
  };
}

/**
 * Drift of an endpoint (or one variant) over a time range: the windows covering the range are
 * merged — exactly, they are counts — and compared with the reference profile. Windows of
 * different model versions have different references, so the report is for one version: the
 * one serving most recently (then the one with most rows); `versions` lists them all.
 */
export async function queryDrift(windows: Pick<WindowStore, 'list'>, profiles: ProfileSource, query: DriftQuery, options: DriftOptionsInput = {}): Promise<DriftQueryResult> {
  const all = (await listServedWindows(windows, query.endpoint, query.from, query.to)).filter((w) => query.variant === undefined || w.key.variant === query.variant);
  const health = healthOf(all);
  if (all.length === 0) return { status: 'empty', health };

  const byVersion = new Map<string, { model: string; version: number; records: number; latest: string; windows: StoredWindow[] }>();
  for (const w of all) {
    const id = `${w.key.model}\u0000${w.key.version}`;
    const entry = byVersion.get(id) ?? { model: w.key.model, version: w.key.version, records: 0, latest: w.key.start, windows: [] };
    entry.records += w.state.records;
    if (w.key.start > entry.latest) entry.latest = w.key.start;
    entry.windows.push(w);
    byVersion.set(id, entry);
  }
  const ranked = [...byVersion.values()].sort((a, b) => (a.latest === b.latest ? b.records - a.records : a.latest < b.latest ? 1 : -1));
  const versions = ranked.map(({ model, version, records }) => ({ model, version, records }));
  const chosen = ranked[0];
  const profile = await profiles.get(chosen.model, chosen.version);
  if (!profile) return { status: 'no-baseline', model: chosen.model, version: chosen.version, versions, health };

  // Windows counted under an earlier baseline of the version do not fit the current one.
  const sketches = chosen.windows.map((w) => w.state.sketch).filter((s): s is WindowSketch => s !== null && s.profile === profile.fingerprint);
  const merged = sketches.reduce<WindowSketch | null>((acc, sketch) => (acc === null ? sketch : mergeSketches(acc, sketch)), null);
  if (merged === null) return { status: 'no-baseline', model: chosen.model, version: chosen.version, versions, health };
  return {
    status: 'ok',
    model: chosen.model,
    version: chosen.version,
    count: merged.records,
    report: evaluateDrift(profile, merged, options),
    ...(query.feature === undefined ? {} : { distribution: featureDistribution(profile, merged, query.feature) }),
    versions,
    health,
  };
}
