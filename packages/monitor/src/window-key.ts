import type { PredictionLogRecord } from '@flywheel/core';

/** Windows are hours of record time: late and replayed records land in the hour they happened. */
export const WINDOW_MS = 3_600_000;

/**
 * What one window counts: one endpoint variant serving one model version during one hour. A
 * shadow's rows have windows of their own (`shadow: true`, `variant` the shadow's name), apart
 * from the variants' so they never count as served traffic.
 */
export interface WindowKey {
  readonly endpoint: string;
  readonly variant: string;
  readonly model: string;
  readonly version: number;
  /** ISO 8601 start of the hour, `2025-03-01T10:00:00.000Z`. */
  readonly start: string;
  readonly shadow?: true;
}

/** Start of the hour containing `time` (ISO 8601 or epoch ms). */
export function hourStart(time: string | number): string {
  const ms = typeof time === 'number' ? time : Date.parse(time);
  return new Date(ms - (((ms % WINDOW_MS) + WINDOW_MS) % WINDOW_MS)).toISOString();
}

export function windowEnd(start: string): string {
  return new Date(Date.parse(start) + WINDOW_MS).toISOString();
}

/**
 * Start of the hour of a record time. Record times are validated ISO 8601 UTC
 * (`YYYY-MM-DDTHH:mm:ss[.f]Z`), so the hour is the first 13 characters: no date parsing per row.
 */
export function recordHour(time: string): string {
  return `${time.slice(0, 13)}:00:00.000Z`;
}

/** The window of a logged row (or of what the feedback join keeps of one). */
export function windowOf(record: Pick<PredictionLogRecord, 'endpoint' | 'variant' | 'model' | 'version' | 'time' | 'shadowOf'>): WindowKey {
  const key = { endpoint: record.endpoint, variant: record.variant, model: record.model, version: record.version, start: recordHour(record.time) };
  return record.shadowOf === undefined ? key : { ...key, shadow: true };
}

/** A string naming the window uniquely (names cannot contain NUL). */
export function windowKeyId(key: WindowKey): string {
  const id = [key.endpoint, key.start, key.variant, key.model, key.version].join('\u0000');
  return key.shadow ? `${id}\u0000shadow` : id;
}
