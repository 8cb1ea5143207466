import { describe, expect, it } from 'vitest';
import type { PredictionLogRecord } from '../logs/record.ts';
import { countServed } from './served.ts';

const record = (id: string, variant: string, unit?: string): PredictionLogRecord => ({
  id,
  time: '2026-01-01T10:00:00.000Z',
  endpoint: 'e',
  variant,
  model: 'm',
  version: 1,
  configVersion: 3,
  inputs: {},
  latencyMs: 1,
  status: 'ok',
  ...(unit !== undefined ? { unit } : {}),
});

describe('countServed', () => {
  it('counts rows, requests by their row 0, and the distinct units of those requests, per variant', () => {
    const records = [
      ...Array.from({ length: 100 }, (_, row) => record(`big/${row}`, 'a', 'u1')),
      record('again/0', 'a', 'u1'),
      record('other/0', 'a', 'u2'),
      record('anonymous/0', 'a'),
      // Row 0 of this request went out in another batch: its rows count here, the request there.
      record('split/7', 'a', 'u3'),
      record('b-1/0', 'b'),
      record('b-1/1', 'b'),
    ];
    expect(countServed(records)).toEqual([
      { key: { endpoint: 'e', configVersion: 3, variant: 'a' }, rows: 104, requests: 4, unitlessRequests: 1, units: ['u1', 'u2'] },
      { key: { endpoint: 'e', configVersion: 3, variant: 'b' }, rows: 2, requests: 1, unitlessRequests: 1, units: [] },
    ]);
  });
});
