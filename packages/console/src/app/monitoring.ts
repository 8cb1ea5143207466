import { ApiProblem, get, query } from './api.ts';
import type { DriftView } from './model.ts';

const HOUR = 3_600_000;

/**
 * Drift and health of an endpoint over a range, with one column's distribution when `feature`
 * names it; undefined when its version has no baseline yet.
 */
export async function driftOver(endpoint: string, from: number, to: number, feature?: string): Promise<DriftView | undefined> {
  try {
    return await get<DriftView>(`/v1/endpoints/${encodeURIComponent(endpoint)}/drift${query({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), feature })}`);
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * The range cut into `buckets` whole-hour spans, each queried on its own: windows are hourly and
 * mergeable, so any span is one query, and a chart over a week needs no more requests than a day.
 */
export async function driftSeries(endpoint: string, rangeHours: number, buckets = 24): Promise<Array<{ from: number; view: DriftView | undefined }>> {
  const end = Math.ceil(Date.now() / HOUR) * HOUR;
  const span = Math.max(1, Math.round(rangeHours / buckets)) * HOUR;
  const starts = Array.from({ length: Math.ceil((rangeHours * HOUR) / span) }, (_, i) => end - (i + 1) * span).reverse();
  return Promise.all(starts.map(async (from) => ({ from, view: await driftOver(endpoint, from, from + span) })));
}
