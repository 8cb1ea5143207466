import { z } from 'zod';
import { WINDOW_MS } from '@flywheel/core';
import { Problem } from '../problem.ts';

/** Longest range one query of monitoring windows merges: 90 days of hourly windows. */
const MAX_RANGE_MS = 90 * 86_400_000;
const DEFAULT_RANGE_MS = 86_400_000;

export const isoTime = z.iso.datetime({ offset: true });

const floorHour = (ms: number) => ms - (ms % WINDOW_MS);
const ceilHour = (ms: number) => floorHour(ms + WINDOW_MS - 1);

/**
 * The whole hours a `from`/`to` query touches (ISO 8601; default the last 24 h, at most 90
 * days), as the window starts to list: windows are hours, so a range is widened to them.
 */
export function hourRange(query: { from?: string; to?: string }, now: Date): { from: string; to: string } {
  const toMs = ceilHour(query.to ? Date.parse(query.to) : now.getTime());
  const fromMs = floorHour(query.from ? Date.parse(query.from) : toMs - DEFAULT_RANGE_MS);
  if (fromMs >= toMs) throw new Problem(400, '`from` must be before `to`.', { errors: [{ path: 'from', message: 'must be before to' }] });
  if (toMs - fromMs > MAX_RANGE_MS) {
    throw new Problem(400, 'A monitoring query spans at most 90 days.', { errors: [{ path: 'from', message: 'at most 90 days before to' }] });
  }
  return { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
}
