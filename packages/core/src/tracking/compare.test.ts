import { describe, expect, it } from 'vitest';
import type { TrackingRun } from './model.ts';
import { compareRuns, lowerIsBetter } from './compare.ts';

const run = (runId: string, startTime: number, metrics: Record<string, number>, params: Record<string, string> = {}): TrackingRun => ({
  runId,
  experimentId: '1',
  runName: runId,
  userId: '',
  status: 'FINISHED',
  startTime,
  artifactUri: '',
  lifecycleStage: 'active',
  params,
  tags: {},
  metrics: Object.fromEntries(Object.entries(metrics).map(([key, value]) => [key, { key, value, timestamp: 0, step: 0 }])),
});

describe('compareRuns', () => {
  const runs = [run('a', 1, { accuracy: 0.8, rmse: 0.4 }, { depth: '3' }), run('b', 2, { accuracy: 0.9, rmse: 0.2 }, { rounds: '50' }), run('c', 3, {})];

  it('puts the best run first: highest accuracy, lowest error, runs lacking the metric last', () => {
    expect(compareRuns(runs, { metric: 'accuracy', limit: 10 }).runs.map((r) => r.runId)).toEqual(['b', 'a', 'c']);
    expect(compareRuns(runs, { metric: 'rmse', limit: 10 })).toMatchObject({ order: { metric: 'rmse', direction: 'asc' } });
    expect(compareRuns(runs, { metric: 'rmse', limit: 10 }).runs.map((r) => r.runId)).toEqual(['b', 'a', 'c']);
    expect(compareRuns(runs, { metric: 'accuracy', direction: 'asc', limit: 10 }).runs.map((r) => r.runId)).toEqual(['a', 'b', 'c']);
    expect(compareRuns(runs, { limit: 2 }).runs.map((r) => r.runId)).toEqual(['c', 'b']);
  });

  it('lists every param and metric key as the columns', () => {
    expect(compareRuns(runs, { limit: 10 }).columns).toEqual({ params: ['depth', 'rounds'], metrics: ['accuracy', 'rmse'] });
  });

  it('knows error metrics', () => {
    expect(['rmse', 'champion.rmse', 'val_loss', 'logLoss', 'mae'].every(lowerIsBetter)).toBe(true);
    expect(['accuracy', 'auc', 'improvement', 'rows'].some(lowerIsBetter)).toBe(false);
  });
});
