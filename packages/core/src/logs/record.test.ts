import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PredictionLogRecordSchema, isPredictionLogRecord } from './record.ts';

const valid = {
  id: 'req-1/0',
  time: '2026-03-01T10:15:00.000Z',
  endpoint: 'churn',
  variant: 'control',
  model: 'm',
  version: 1,
  configVersion: 2,
  inputs: { age: 31 },
  outputs: { p: [0.1, 0.9] },
  latencyMs: 2.5,
  status: 'ok',
};

/** Values each field might hold, valid or not. */
const anything = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(0, 1, -1, 2.5, 2 ** 60, Number.NaN, Infinity, 3_600_001),
  fc.constantFrom('', 'x', 'ab', 'req-9/3', 'ok', 'error', 'x'.repeat(300), '2026-02-29T00:00:00Z', '2024-02-29T23:59:59.5Z', '2026-03-01T10:15:00+01:00', '2026-13-01T00:00:00Z'),
  fc.constant([]),
  fc.constant(['a']),
  fc.constant({}),
  fc.constant({ a: 1 }),
);

describe('isPredictionLogRecord', () => {
  it('accepts the records the sink writes', () => {
    expect(isPredictionLogRecord(valid)).toBe(true);
    expect(isPredictionLogRecord({ ...valid, unit: 'abc', error: 'e', shadowOf: 'v', redacted: ['email'], truncated: true, outputs: undefined })).toBe(true);
  });

  it('never accepts what the schema refuses, and never a record the schema would change', () => {
    const keys = [...Object.keys(PredictionLogRecordSchema.shape), 'extra'];
    fc.assert(
      fc.property(fc.constantFrom(...keys), anything, fc.constantFrom(...keys), anything, (k1, v1, k2, v2) => {
        const candidate: Record<string, unknown> = { ...valid, [k1]: v1, [k2]: v2 };
        for (const k of [k1, k2]) if (candidate[k] === undefined) delete candidate[k];
        if (!isPredictionLogRecord(candidate)) return;
        const parsed = PredictionLogRecordSchema.safeParse(candidate);
        expect(parsed.success, JSON.stringify(candidate)).toBe(true);
        expect(parsed.data).toEqual(candidate);
      }),
      { seed: 11, numRuns: 3000 },
    );
  });

  it('refuses malformed records the schema refuses too', () => {
    for (const bad of [{ ...valid, time: '2026-02-30T00:00:00Z' }, { ...valid, version: 0 }, { ...valid, inputs: [] }, { ...valid, extra: 1 }, null, []]) {
      expect(isPredictionLogRecord(bad)).toBe(false);
    }
  });
});
