import { describe, expect, it } from 'vitest';
import type { PredictionLogEntry } from './entry.ts';
import { preparePredictionLogRecords } from './prepare.ts';
import { PredictionLogRecordSchema } from './record.ts';

const hash = (unit: string) => `h(${unit})`;

function entry(overrides: Partial<PredictionLogEntry> = {}): PredictionLogEntry {
  return {
    requestId: 'req-1',
    time: '2025-03-01T10:15:00.000Z',
    endpoint: 'churn',
    variant: 'control',
    model: 'churn-model',
    version: 3,
    configVersion: 7,
    unit: 'user-42',
    rows: [
      { inputs: { age: 31, plan: 'pro', email: 'a@b.c' }, outputs: { score: [0.2, 0.8] } },
      { inputs: { age: 45, plan: 'free', email: 'd@e.f' }, outputs: { score: [0.6, 0.4] } },
    ],
    latencyMs: 3.5,
    status: 'ok',
    logging: { percent: 100, redact: [] },
    ...overrides,
  };
}

describe('preparePredictionLogRecords', () => {
  it('cuts one valid record per row, ids `<request>/<row>`, with the unit hashed', () => {
    const records = preparePredictionLogRecords(entry(), hash);
    expect(records.map((r) => r.id)).toEqual(['req-1/0', 'req-1/1']);
    expect(records[1]).toMatchObject({ endpoint: 'churn', variant: 'control', version: 3, configVersion: 7, unit: 'h(user-42)', status: 'ok' });
    expect(records[1].inputs).toEqual({ age: 45, plan: 'free', email: 'd@e.f' });
    for (const record of records) expect(PredictionLogRecordSchema.parse(record)).toEqual(record);
    expect(JSON.stringify(records)).not.toContain('user-42"');
  });

  it('removes redacted fields from inputs and outputs and says which', () => {
    const records = preparePredictionLogRecords(entry({ logging: { percent: 100, redact: ['email', 'score'] } }), hash);
    expect(records[0].inputs).toEqual({ age: 31, plan: 'pro' });
    expect(records[0].outputs).toEqual({});
    expect(records[0].redacted).toEqual(['email', 'score']);
    expect(JSON.stringify(records)).not.toContain('a@b.c');
  });

  it('logs a failed request without rows as one error record', () => {
    const records = preparePredictionLogRecords(entry({ rows: [], status: 'error', error: 'x'.repeat(5000) }), hash);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ id: 'req-1/0', status: 'error', inputs: {} });
    expect(records[0].error).toHaveLength(1000);
    expect(PredictionLogRecordSchema.safeParse(records[0]).success).toBe(true);
  });

  it('truncates raw tensor slices', () => {
    const image = Array.from({ length: 3 }, () => Array.from({ length: 100 }, (_, i) => i));
    const [record] = preparePredictionLogRecords(entry({ rows: [{ inputs: { image } }] }), hash);
    expect((record.inputs.image as number[][]).flat()).toHaveLength(64);
  });

  it('samples whole units: every request of a unit is logged or none is, at about the percentage', () => {
    const logging = { percent: 30, redact: [] };
    let loggedUnits = 0;
    for (let u = 0; u < 4000; u++) {
      const outcomes = new Set([0, 1, 2].map((r) => preparePredictionLogRecords(entry({ unit: `user-${u}`, requestId: `r-${u}-${r}`, logging }), hash).length > 0));
      expect(outcomes.size).toBe(1);
      if (outcomes.has(true)) loggedUnits++;
    }
    expect(loggedUnits / 4000).toBeGreaterThan(0.27);
    expect(loggedUnits / 4000).toBeLessThan(0.33);
  });

  it('samples requests without a unit by request id, keeping their rows together', () => {
    const logging = { percent: 50, redact: [] };
    const counts = Array.from({ length: 400 }, (_, i) => preparePredictionLogRecords(entry({ unit: undefined, requestId: `r-${i}`, logging }), hash).length);
    expect(new Set(counts)).toEqual(new Set([0, 2]));
    expect(preparePredictionLogRecords(entry({ logging: { percent: 0, redact: [] } }), hash)).toEqual([]);
  });
});
