import { describe, expect, test } from 'vitest';
import { InvalidScheduleError, latestScheduledInstant, parseSchedule } from './schedule.ts';

const t = (iso: string) => Date.parse(iso);

describe('retraining schedules', () => {
  test('a rate fires on its multiples of the epoch, and the latest instant in the span is the one reported', () => {
    const every6h = parseSchedule('rate(6 hours)');
    expect(latestScheduledInstant(every6h, t('2026-03-01T05:58:00Z'), t('2026-03-01T06:00:30Z'))).toBe('2026-03-01T06:00:00.000Z');
    expect(latestScheduledInstant(every6h, t('2026-03-01T06:00:00Z'), t('2026-03-01T06:02:00Z'))).toBeUndefined();
    expect(latestScheduledInstant(parseSchedule('rate(1 minute)'), t('2026-03-01T06:00:00Z'), t('2026-03-01T06:02:10Z'))).toBe('2026-03-01T06:02:00.000Z');
    expect(latestScheduledInstant(parseSchedule('rate(1 day)'), t('2026-02-28T23:59:00Z'), t('2026-03-01T00:00:00Z'))).toBe('2026-03-01T00:00:00.000Z');
  });

  test('cron fields: lists, ranges, steps and the two day fields', () => {
    const nightly = parseSchedule('cron(30 3 * * *)');
    expect(latestScheduledInstant(nightly, t('2026-03-01T03:00:00Z'), t('2026-03-01T03:31:00Z'))).toBe('2026-03-01T03:30:00.000Z');
    expect(latestScheduledInstant(nightly, t('2026-03-01T03:30:00Z'), t('2026-03-02T03:29:00Z'))).toBeUndefined();
    const quarterHours = parseSchedule('cron(*/15 8-9 * * 1-5)');
    // 2026-03-02 is a Monday, 2026-03-01 a Sunday.
    expect(latestScheduledInstant(quarterHours, t('2026-03-02T08:00:00Z'), t('2026-03-02T08:50:00Z'))).toBe('2026-03-02T08:45:00.000Z');
    expect(latestScheduledInstant(quarterHours, t('2026-03-01T07:59:00Z'), t('2026-03-01T09:59:00Z'))).toBeUndefined();
    // Day of month OR day of week when both are set; 7 is Sunday.
    const firstOrSunday = parseSchedule('cron(0 0 1 * 7)');
    expect(latestScheduledInstant(firstOrSunday, t('2026-02-28T00:00:00Z'), t('2026-03-01T00:00:00Z'))).toBe('2026-03-01T00:00:00.000Z');
    expect(latestScheduledInstant(firstOrSunday, t('2026-03-07T00:00:00Z'), t('2026-03-08T00:00:00Z'))).toBe('2026-03-08T00:00:00.000Z');
    expect(latestScheduledInstant(parseSchedule('cron(5,10 0 * 1 *)'), t('2026-01-01T00:00:00Z'), t('2026-01-01T00:07:00Z'))).toBe('2026-01-01T00:05:00.000Z');
  });

  test.each([
    ['every day', /rate\(/],
    ['rate(0 hours)', /at least 1/],
    ['rate(2 weeks)', /unknown rate unit "weeks"/],
    ['cron(0 3 * *)', /5 fields/],
    ['cron(61 * * * *)', /minute "61" is outside 0-59/],
    ['cron(0 3 * * MON)', /day of week "MON"/],
    ['cron(*/0 * * * *)', /step must be at least 1/],
  ])('%s is refused, saying why', (text, message) => {
    expect(() => parseSchedule(text)).toThrow(InvalidScheduleError);
    expect(() => parseSchedule(text)).toThrow(message);
  });
});
