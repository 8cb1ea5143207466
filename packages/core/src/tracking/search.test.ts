import { describe, expect, it } from 'vitest';
import type { TrackingExperiment, TrackingRun } from './model.ts';
import { searchExperiments, searchRuns } from './search.ts';

function run(runId: string, fields: Partial<TrackingRun> & { acc?: number }): TrackingRun {
  const { acc, ...rest } = fields;
  return {
    runId,
    experimentId: '1',
    runName: runId,
    userId: 'u',
    status: 'FINISHED',
    startTime: 1000,
    artifactUri: `s3://b/${runId}`,
    lifecycleStage: 'active',
    params: {},
    tags: {},
    metrics: acc === undefined ? {} : { acc: { key: 'acc', value: acc, timestamp: 1, step: 0 } },
    ...rest,
  };
}

const runs = [
  run('a', { acc: 0.7, params: { depth: '3' }, startTime: 3000 }),
  run('b', { acc: 0.9, params: { depth: '5' }, startTime: 2000, tags: { team: 'risk' } }),
  run('c', { params: { depth: '5' }, startTime: 1000, status: 'FAILED' }),
  run('d', { acc: 0.8, lifecycleStage: 'deleted', startTime: 4000 }),
];
const ids = (page: { items: TrackingRun[] }) => page.items.map((r) => r.runId);

describe('searchRuns', () => {
  it('filters on metrics, params, tags and attributes, leaving out deleted runs unless asked', () => {
    expect(ids(searchRuns(runs, { filter: 'metrics.acc > 0.75', maxResults: 10 }))).toEqual(['b']);
    expect(ids(searchRuns(runs, { filter: `params.depth = '5' AND attributes.status = 'FINISHED'`, maxResults: 10 }))).toEqual(['b']);
    expect(ids(searchRuns(runs, { filter: `tags.team = 'risk'`, maxResults: 10 }))).toEqual(['b']);
    expect(ids(searchRuns(runs, { filter: 'metrics.acc > 0.75', maxResults: 10, viewType: 'ALL' }))).toEqual(['d', 'b']);
  });

  it('orders newest first by default, by a metric with runs lacking it last, and pages with a token', () => {
    expect(ids(searchRuns(runs, { maxResults: 10 }))).toEqual(['a', 'b', 'c']);
    expect(ids(searchRuns(runs, { orderBy: ['metrics.acc DESC'], maxResults: 10 }))).toEqual(['b', 'a', 'c']);
    expect(ids(searchRuns(runs, { orderBy: ['metrics.acc ASC'], maxResults: 10 }))).toEqual(['a', 'b', 'c']);
    const first = searchRuns(runs, { orderBy: ['metrics.acc'], maxResults: 2 });
    expect(ids(first)).toEqual(['a', 'b']);
    const second = searchRuns(runs, { orderBy: ['metrics.acc'], maxResults: 2, pageToken: first.nextPageToken });
    expect(ids(second)).toEqual(['c']);
    expect(second.nextPageToken).toBeUndefined();
    expect(() => searchRuns(runs, { maxResults: 2, pageToken: 'not-a-token' })).toThrow(/Invalid page token/);
  });

  it('refuses an unknown attribute', () => {
    expect(() => searchRuns(runs, { filter: `attributes.colour = 'red'`, maxResults: 10 })).toThrow(/Invalid attribute key/);
  });
});

describe('searchExperiments', () => {
  const experiment = (experimentId: string, name: string, creationTime: number): TrackingExperiment => ({
    experimentId,
    name,
    artifactLocation: '',
    lifecycleStage: 'active',
    creationTime,
    lastUpdateTime: creationTime,
    tags: {},
  });
  const experiments = [experiment('1', 'churn', 1), experiment('2', 'churn-v2', 2), experiment('3', 'fraud', 3)];
  it('filters by name with LIKE and orders by name', () => {
    expect(searchExperiments(experiments, { filter: `name LIKE 'churn%'`, maxResults: 10 }).items.map((e) => e.name)).toEqual(['churn-v2', 'churn']);
    expect(searchExperiments(experiments, { orderBy: ['name DESC'], maxResults: 10 }).items.map((e) => e.name)).toEqual(['fraud', 'churn-v2', 'churn']);
    // A bare name is the attribute only where it stands as a key, not inside a quoted value.
    expect(searchExperiments([...experiments, experiment('4', 'a AND name', 4)], { filter: `name = 'a AND name'`, maxResults: 10 }).items.map((e) => e.name)).toEqual([
      'a AND name',
    ]);
  });
});
