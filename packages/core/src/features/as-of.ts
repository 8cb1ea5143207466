import { EVENT_TIME_SKEW_MS, type FeatureValue, type FeatureRow } from './rows.ts';
import type { FeatureViewDefinition } from './view.ts';

/** A view's values for one entity as of an instant, and the row they came from (null when none qualifies). */
export interface AsOfValues {
  values: Record<string, FeatureValue>;
  /** Epoch ms of the row the values came from; null when no row qualifies. */
  eventTimeMs: number | null;
}

/**
 * Whether a row stamped `eventTimeMs` may answer for `asOfMs`: it is not from the future and,
 * with a ttl, not older than it. The SQL of historical joins (point-in-time-sql.ts) says the same.
 */
export function rowAnswersAt(eventTimeMs: number, asOfMs: number, ttlSeconds: number | undefined): boolean {
  return eventTimeMs <= asOfMs && (ttlSeconds === undefined || asOfMs - eventTimeMs <= ttlSeconds * 1000);
}

/** Every feature of the view as null: the answer when no row qualifies. */
export function nullValues(view: FeatureViewDefinition): Record<string, FeatureValue> {
  return Object.fromEntries(view.features.map((f) => [f.name, null]));
}

/**
 * The online answer: the entity's latest row if it answers at `nowMs`, nulls otherwise. A row
 * stamped ahead of `nowMs` by no more than ingestion allows ({@link EVENT_TIME_SKEW_MS}: the
 * sender's clock runs ahead) is the current value, not a future one; the ttl counts from `nowMs`.
 * Features added to the view after the row was written read as null.
 */
export function onlineValues(view: FeatureViewDefinition, latest: FeatureRow | undefined, nowMs: number): AsOfValues {
  const answers = latest !== undefined && latest.eventTimeMs <= nowMs + EVENT_TIME_SKEW_MS && rowAnswersAt(Math.min(latest.eventTimeMs, nowMs), nowMs, view.ttlSeconds);
  if (!answers) return { values: nullValues(view), eventTimeMs: null };
  const values = nullValues(view);
  for (const name in values) values[name] = latest.values[name] ?? null;
  return { values, eventTimeMs: latest.eventTimeMs };
}
