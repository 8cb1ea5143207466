import type { PredictionLogRecord } from '../logs/record.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/**
 * Windows are cut by record time (late and replayed records land in the window they happened)
 * at two grains. Every served record is counted into its minute window — what the judge looks
 * at, kept for days — and into its hour window, the history that range queries read over
 * months. The hour window is exactly the merge of its minutes, so the two never disagree; they
 * are written together, under one batch id, by the same exactly-once protocol.
 */
export const WINDOW_MS = HOUR_MS;

/**
 * What one window counts: one endpoint variant serving one model version during one hour (or
 * one minute, with `grain: 'minute'`). A shadow's rows have hour windows of their own
 * (`shadow: true`, `variant` the shadow's name), apart from the variants' so they never count as
 * served traffic; shadows are not judged per minute.
 */
export interface WindowKey {
  readonly endpoint: string;
  readonly variant: string;
  readonly model: string;
  readonly version: number;
  /** ISO 8601 start of the window, `2025-03-01T10:00:00.000Z`. */
  readonly start: string;
  readonly shadow?: true;
  readonly grain?: 'minute';
}

export function windowLengthMs(key: Pick<WindowKey, 'grain'>): number {
  return key.grain === 'minute' ? MINUTE_MS : HOUR_MS;
}

/** Start of the hour containing `time` (ISO 8601 or epoch ms). */
export function hourStart(time: string | number): string {
  const ms = typeof time === 'number' ? time : Date.parse(time);
  return new Date(ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS)).toISOString();
}

/** End of the hour window starting at `start`. */
export function windowEnd(start: string): string {
  return new Date(Date.parse(start) + HOUR_MS).toISOString();
}

/**
 * Start of the hour of a record time. Record times are validated ISO 8601 UTC
 * (`YYYY-MM-DDTHH:mm:ss[.f]Z`), so the hour is the first 13 characters: no date parsing per row.
 */
export function recordHour(time: string): string {
  return `${time.slice(0, 13)}:00:00.000Z`;
}

/** Start of the minute of a record time (the first 16 characters, as `recordHour`). */
export function recordMinute(time: string): string {
  return `${time.slice(0, 16)}:00.000Z`;
}

/** The hour window of a logged row (or of what the feedback join keeps of one). */
export function windowOf(record: Pick<PredictionLogRecord, 'endpoint' | 'variant' | 'model' | 'version' | 'time' | 'shadowOf'>): WindowKey {
  const key = { endpoint: record.endpoint, variant: record.variant, model: record.model, version: record.version, start: recordHour(record.time) };
  return record.shadowOf === undefined ? key : { ...key, shadow: true };
}

/** The minute window of a served record; shadow rows have none. */
export function minuteWindowOf(record: PredictionLogRecord): WindowKey | undefined {
  if (record.shadowOf !== undefined) return undefined;
  return { endpoint: record.endpoint, variant: record.variant, model: record.model, version: record.version, start: recordMinute(record.time), grain: 'minute' };
}

/** A string naming the window uniquely (names cannot contain NUL). */
export function windowKeyId(key: WindowKey): string {
  const id = [key.endpoint, key.start, key.variant, key.model, key.version].join('\u0000');
  return `${id}${key.shadow ? '\u0000shadow' : ''}${key.grain === 'minute' ? '\u0000minute' : ''}`;
}
