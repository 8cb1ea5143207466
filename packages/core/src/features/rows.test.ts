import { describe, expect, it } from 'vitest';
import { onlineValues, rowAnswersAt } from './as-of.ts';
import { EVENT_TIME_SKEW_MS, latestPerEntity, validateFeatureRows } from './rows.ts';
import type { FeatureViewDefinition } from './view.ts';

const view: FeatureViewDefinition = {
  entity: 'customer_id',
  features: [
    { name: 'spend', kind: 'numerical' },
    { name: 'tier', kind: 'categorical' },
  ],
  ttlSeconds: 3600,
};

describe('feature rows', () => {
  it('stores valid rows with missing features as null and numeric entity keys as text, and gives every reason a row is refused', () => {
    const { accepted, rejected } = validateFeatureRows(
      view,
      [
        { customer_id: 42, event_time: '2026-01-01T10:00:00+02:00', spend: 1.5 },
        { customer_id: '', event_time: '2026-01-01T10:00:00', spend: Number.NaN, tier: true, extra: 1 },
        ['not', 'an', 'object'],
        { customer_id: 'c1', event_time: '2026-13-40T10:00:00Z' },
      ],
      Date.parse('2026-06-01T00:00:00Z'),
    );
    expect(accepted).toEqual([{ entityId: '42', eventTimeMs: Date.parse('2026-01-01T08:00:00Z'), values: { spend: 1.5, tier: null } }]);
    expect(rejected).toEqual([
      {
        index: 1,
        errors: [
          expect.stringMatching(/^customer_id:/),
          expect.stringMatching(/^event_time: .*zone/),
          'spend: must be a finite number, got null',
          'tier: must be a string or a number, got true',
          'extra: the view has no such feature',
        ],
      },
      { index: 2, errors: ['must be an object'] },
      { index: 3, errors: [expect.stringMatching(/^event_time:/)] },
    ]);
  });

  it('refuses numbers the online store cannot keep, so no row is written offline and refused online', () => {
    const { accepted, rejected } = validateFeatureRows(
      view,
      [
        { customer_id: 'c1', event_time: '2026-01-01T10:00:00Z', spend: -1.5e300 },
        { customer_id: 'c2', event_time: '2026-01-01T10:00:00Z', spend: 5e-324, tier: 1e130 },
        { customer_id: 'c3', event_time: '2026-01-01T10:00:00Z', spend: -9.99e125, tier: 1e-130 },
        { customer_id: 'c4', event_time: '2026-01-01T10:00:00Z', spend: 0, tier: -0 },
      ],
      Date.parse('2026-06-01T00:00:00Z'),
    );
    expect(accepted.map((row) => row.entityId)).toEqual(['c3', 'c4']);
    expect(rejected).toEqual([
      { index: 0, errors: ['spend: -1.5e+300 is out of range (the stores take a finite number that is 0 or of a magnitude from 1e-130 to below 1e126)'] },
      { index: 1, errors: [expect.stringMatching(/^spend: 5e-324 is out of range/), expect.stringMatching(/^tier: 1e\+130 is out of range/)] },
    ]);
  });

  it('refuses a row stamped more than the clock-skew allowance after now, with the reason, and keeps one within it', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    const at = (ms: number) => new Date(ms).toISOString();
    const { accepted, rejected } = validateFeatureRows(
      view,
      [
        { customer_id: 'c1', event_time: at(now + EVENT_TIME_SKEW_MS), spend: 1 },
        { customer_id: 'c2', event_time: at(now + EVENT_TIME_SKEW_MS + 1), spend: 2 },
        { customer_id: 'c3', event_time: '2027-01-01T00:00:00Z', spend: 3 },
      ],
      now,
    );
    expect(accepted.map((row) => row.entityId)).toEqual(['c1']);
    expect(rejected).toEqual([
      { index: 1, errors: [`event_time: ${at(now + EVENT_TIME_SKEW_MS + 1)} is in the future (the server's clock reads ${at(now)}; rows may be at most 5 minutes ahead of it)`] },
      { index: 2, errors: [expect.stringContaining('2027-01-01T00:00:00.000Z is in the future')] },
    ]);
  });

  it("serves online a row stamped a little after now (the sender's clock runs ahead) as the current value", () => {
    const now = 10 * 3_600_000;
    const ahead = { entityId: 'c1', eventTimeMs: now + 60_000, values: { spend: 7 } };
    expect(onlineValues(view, ahead, now)).toEqual({ values: { spend: 7, tier: null }, eventTimeMs: now + 60_000 });
    expect(onlineValues(view, { ...ahead, eventTimeMs: now + EVENT_TIME_SKEW_MS + 1 }, now).eventTimeMs).toBeNull();
  });

  it('keeps the newest row per entity, the later-sent one of two at the same time', () => {
    const row = (entityId: string, eventTimeMs: number, spend: number) => ({ entityId, eventTimeMs, values: { spend } });
    expect(latestPerEntity([row('a', 5, 1), row('b', 1, 2), row('a', 9, 3), row('a', 7, 4), row('a', 9, 5)])).toEqual([row('a', 9, 5), row('b', 1, 2)]);
  });

  it('answers at a time only with a row from then or before, and within the ttl', () => {
    expect(rowAnswersAt(1000, 1000, undefined)).toBe(true);
    expect(rowAnswersAt(1001, 1000, undefined)).toBe(false);
    expect(rowAnswersAt(0, 3_600_000, 3600)).toBe(true);
    expect(rowAnswersAt(0, 3_600_001, 3600)).toBe(false);
    const latest = { entityId: 'c1', eventTimeMs: 0, values: { spend: 3 } };
    expect(onlineValues(view, latest, 1000)).toEqual({ values: { spend: 3, tier: null }, eventTimeMs: 0 });
    expect(onlineValues(view, latest, 3_600_001)).toEqual({ values: { spend: null, tier: null }, eventTimeMs: null });
    expect(onlineValues(view, undefined, 0).values).toEqual({ spend: null, tier: null });
  });
});
