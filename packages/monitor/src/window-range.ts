import { type StoredWindow, type WindowStore, HOUR_MS } from '@flywheel/core';

/**
 * The served-traffic windows that exactly cover [from, to) (ISO 8601, on whole minutes): hour
 * windows for the whole hours inside the range, minute windows for the rest. Hour windows are
 * the merge of their minutes, so either way every record in the range is counted once; reading
 * hours keeps a month-long query to hundreds of items instead of tens of thousands. Minute
 * windows expire sooner than hours: a range edge older than their retention reads as empty.
 */
export async function listServedWindows(windows: Pick<WindowStore, 'list'>, endpoint: string, from: string, to: string): Promise<StoredWindow[]> {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const firstHour = Math.ceil(fromMs / HOUR_MS) * HOUR_MS;
  const lastHour = Math.floor(toMs / HOUR_MS) * HOUR_MS;
  if (firstHour >= lastHour) return windows.list(endpoint, from, to, 'minutes');
  const iso = (ms: number) => new Date(ms).toISOString();
  const [head, hours, tail] = await Promise.all([
    fromMs < firstHour ? windows.list(endpoint, from, iso(firstHour), 'minutes') : [],
    windows.list(endpoint, iso(firstHour), iso(lastHour)),
    lastHour < toMs ? windows.list(endpoint, iso(lastHour), to, 'minutes') : [],
  ]);
  return [...head, ...hours, ...tail];
}
