import { describe, expect, it } from 'vitest';
import type { PredictionLogRecord } from '@flywheel/core';
import { type StoredWindow, type WindowSeries, windowKeyId, windowOf, WindowStateBuilder } from '@flywheel/core';
import { queryShadows } from './shadow-query.ts';

const record = (id: string, hour: number, overrides: Partial<PredictionLogRecord> = {}): PredictionLogRecord => ({
  id,
  time: `2026-03-01T${String(10 + hour).padStart(2, '0')}:30:00.000Z`,
  endpoint: 'e',
  variant: 'next',
  model: 'm',
  version: 2,
  configVersion: 1,
  inputs: {},
  outputs: { p: [0.2, 0.8] },
  latencyMs: 3,
  status: 'ok',
  shadowOf: 'main',
  ...overrides,
});

function windowsOf(records: PredictionLogRecord[]): StoredWindow[] {
  const groups = new Map<string, PredictionLogRecord[]>();
  for (const r of records) groups.set(windowKeyId(windowOf(r)), [...(groups.get(windowKeyId(windowOf(r))) ?? []), r]);
  return [...groups.values()].map((group) => {
    const builder = new WindowStateBuilder(undefined);
    for (const r of group) builder.add(r);
    return { key: windowOf(group[0]), state: builder.build(), applied: new Set(), revision: 1 };
  });
}

describe('shadow windows', () => {
  it('are keyed apart from the variant windows of the same name', () => {
    const shadow = record('a/0', 0);
    const served = record('a/0', 0, { shadowOf: undefined });
    expect(windowOf(shadow)).toMatchObject({ variant: 'next', shadow: true });
    expect(windowOf(served)).not.toHaveProperty('shadow');
    expect(windowKeyId(windowOf(shadow))).not.toBe(windowKeyId(windowOf(served)));
  });

  it('merge per shadow and version over the range into counts, errors and agreement', async () => {
    const records = [
      record('a/0', 0, { agreement: { argmax: true, absDiff: 0.1 } }),
      record('a/1', 0, { agreement: { argmax: false, absDiff: 0.3 } }),
      record('b/0', 1, { agreement: { argmax: true, absDiff: 0.2 } }),
      record('c/0', 1, { status: 'error', outputs: undefined }),
      record('d/0', 1, { variant: 'regressor', model: 'r', version: 1, agreement: { absDiff: 2 } }),
    ];
    const stored = windowsOf(records);
    const asked: WindowSeries[] = [];
    const summaries = await queryShadows(
      {
        list: async (_endpoint, _from, _to, series = 'variants') => {
          asked.push(series);
          return stored;
        },
      },
      { endpoint: 'e', from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' },
    );
    expect(asked).toEqual(['shadows']);
    expect(summaries).toEqual([
      { name: 'next', model: 'm', version: 2, count: 4, errors: 1, argmaxAgreement: 2 / 3, meanAbsoluteDifference: expect.closeTo(0.2, 12) },
      { name: 'regressor', model: 'r', version: 1, count: 1, errors: 0, argmaxAgreement: null, meanAbsoluteDifference: 2 },
    ]);
  });
});
