import { describe, expect, it } from 'vitest';
import {
  realizedPerformance,
  type PredictionLogRecord,
  type Task,
  type VersionFacts,
  type StoredWindow,
  windowOf,
  type WindowKey,
  WindowStateBuilder,
  emptyWindowState,
  mergeWindowStates,
  type WindowState,
} from '@flywheel/core';
import { performanceSignals, versionSeries } from './performance-signals.ts';
import { queryPerformance } from './performance-query.ts';

const task: Task = { type: 'binary-classification', output: 'p', classes: ['no', 'yes'] };

const record = (id: string, p: number, overrides: Partial<PredictionLogRecord> = {}): PredictionLogRecord => ({
  id,
  time: '2026-01-01T10:15:00.000Z',
  endpoint: 'e',
  variant: 'control',
  model: 'm',
  version: 1,
  configVersion: 1,
  inputs: {},
  outputs: { p: [[1 - p, p]] },
  latencyMs: 4,
  status: 'ok',
  ...overrides,
});

/**
 * A window of `n` rows, all confident (0.9 for "yes"), of which `wrong` have the label "no":
 * estimated accuracy 0.9 throughout, realized accuracy 1 − wrong/n.
 */
function windowOfRows(n: number, wrong: number, overrides: Partial<PredictionLogRecord> = {}): { key: WindowKey; state: WindowState } {
  const builder = new WindowStateBuilder(undefined, task);
  const records = Array.from({ length: n }, (_, i) => record(`r${i}/0`, 0.9, overrides));
  for (const r of records) builder.add(r);
  let state = builder.build();
  records.forEach((r, i) => {
    const performance = realizedPerformance({ label: i < wrong ? 'no' : 'yes' }, { ...r, predicted: 'yes', task: task.type, classes: task.classes, scores: [0.1, 0.9] });
    state = mergeWindowStates(state, { ...emptyWindowState(undefined), performance });
  });
  return { key: windowOf(records[0]), state };
}

const versions = (reference: VersionFacts['reference']) => ({ get: async (): Promise<VersionFacts> => ({ task, reference }) });
const range = { start: '2026-01-01T10:00:00.000Z', end: '2026-01-01T11:00:00.000Z' };

describe('performance in the windows', () => {
  it('estimates at ingest from the rows’ probabilities, and merges realized counts joined later', () => {
    const { state } = windowOfRows(200, 60);
    expect(state.performance?.estimated?.rows).toBe(200);
    expect(state.performance?.realized?.rows).toBe(200);
    const [series] = versionSeries([{ key: windowOf(record('x/0', 0.5)), state }]);
    expect(series.performance).toEqual(state.performance);
    // A model without a task, or a failed row, adds no estimate.
    const plain = new WindowStateBuilder(undefined);
    plain.add(record('a/0', 0.9));
    const failing = new WindowStateBuilder(undefined, task);
    failing.add(record('b/0', 0.9, { status: 'error', outputs: undefined }));
    expect([plain.build().performance, failing.build().performance]).toEqual([undefined, undefined]);
  });

  it('signals a realized accuracy drop past the tolerance against the version’s reference, and the variants that breached', async () => {
    const windows = [windowOfRows(200, 60), windowOfRows(200, 2, { variant: 'candidate' })];
    const verdict = await performanceSignals('e', range, windows, versions({ accuracy: 0.92 }));
    const byMetric = Object.fromEntries(verdict.signals.map((s) => [s.key.feature, s]));
    expect(byMetric.accuracy.key).toEqual({ endpoint: 'e', kind: 'performance', feature: 'accuracy' });
    expect(byMetric.accuracy.signal).toMatchObject({ breached: true, threshold: 0.05, windowEnd: range.end });
    expect(byMetric.accuracy.signal.value).toBeCloseTo(0.92 - 0.7, 12);
    expect(byMetric.accuracy.variants).toEqual(['control']);
    // The probabilities say 0.9 everywhere: within 0.05 of 0.92, the estimate does not breach.
    expect(byMetric.estimated_accuracy.signal.breached).toBe(false);
    expect(verdict.scores.map((s) => [s.variant, s.realized && 'accuracy' in s.realized ? s.realized.accuracy : null])).toEqual([
      ['control', 0.7],
      ['candidate', 0.99],
    ]);
  });

  it('judges nothing without a reference, and nothing on too few rows', async () => {
    expect((await performanceSignals('e', range, [windowOfRows(200, 100)], versions(undefined))).signals).toEqual([]);
    const few = await performanceSignals('e', range, [windowOfRows(50, 25)], versions({ accuracy: 0.9 }));
    expect(few.signals.every((s) => !s.signal.breached)).toBe(true);
  });

  it('answers per window and merged over a range', async () => {
    const early = windowOfRows(100, 10, { time: '2026-01-01T09:30:00.000Z' });
    const late = windowOfRows(100, 40);
    const stored: StoredWindow[] = [early, late].map((w) => ({ ...w, applied: new Set(), revision: 1 }));
    const list = async (_: string, from: string, to: string) => stored.filter((w) => w.key.start >= from && w.key.start < to);
    const [series] = await queryPerformance({ list }, versions({ accuracy: 0.9 }), { endpoint: 'e', from: '2026-01-01T09:00:00.000Z', to: '2026-01-01T11:00:00.000Z' });
    expect(series).toMatchObject({ variant: 'control', model: 'm', version: 1, reference: { accuracy: 0.9 } });
    expect(series.windows.map((w) => [w.from, w.to, w.realized && 'accuracy' in w.realized ? w.realized.accuracy : null])).toEqual([
      ['2026-01-01T09:00:00.000Z', '2026-01-01T10:00:00.000Z', 0.9],
      ['2026-01-01T10:00:00.000Z', '2026-01-01T11:00:00.000Z', 0.6],
    ]);
    expect(series.realized).toMatchObject({ rows: 200, accuracy: 0.75 });
    expect(series.estimated).toMatchObject({ rows: 200 });
    expect((series.estimated as { accuracy: number }).accuracy).toBeCloseTo(0.9, 12);
  });
});
