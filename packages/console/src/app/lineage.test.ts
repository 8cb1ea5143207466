import { describe, expect, it } from 'vitest';
import type { ModelVersion, Run } from '@flywheel/core';
import { lineageGraph, rolloutsOf } from './lineage.ts';

const version = (n: number, lineage: Record<string, unknown> = {}) => ({ model: 'churn', version: n, lineage }) as ModelVersion;
const config = (configVersion: number, ...variants: Array<[number, number]>) => ({
  configVersion,
  config: { variants: variants.map(([v, weight]) => ({ model: 'churn', version: v, weight })) },
});

describe('the lineage graph of a model', () => {
  it('turns endpoint history into rollouts: the config versions a version had traffic in, and its largest share', () => {
    const history = [config(3, [1, 0], [2, 100]), config(1, [1, 100]), config(2, [1, 90], [2, 10])];
    expect(rolloutsOf('demo', 'churn', history)).toEqual([
      { endpoint: 'demo', version: 1, configVersions: [1, 2], maxWeight: 100 },
      { endpoint: 'demo', version: 2, configVersions: [2, 3], maxWeight: 100 },
    ]);
    expect(rolloutsOf('demo', 'other', history)).toEqual([]);
  });

  it('links dataset → run → version → rollout, and the champion a run started from', () => {
    const runs = [
      { runId: 'run-a', status: 'succeeded', parentVersion: 1, version: 2, dataset: { sha256: 'd1'.repeat(32), rows: 900 } },
      { runId: 'run-b', status: 'failed', parentVersion: 2 },
    ] as unknown as Run[];
    const graph = lineageGraph([version(1), version(2, { runId: 'run-a', manifestSha256: 'd1'.repeat(32), rows: 900, parentVersion: 1 })], runs, [
      { endpoint: 'demo', version: 2, configVersions: [2, 3], maxWeight: 100 },
    ]);
    const edges = graph.edges.map((e) => `${e.source} -${e.label}-> ${e.target}`).sort();
    expect(edges).toEqual(
      [
        `dataset:${'d1'.repeat(32)} -trained on-> run:run-a`,
        'run:run-a -registered-> version:2',
        'version:1 -champion-> run:run-a',
        'version:2 -champion-> run:run-b',
        'version:2 -served by-> rollout:demo:2',
      ].sort(),
    );
    expect(graph.nodes.find((n) => n.id === 'run:run-b')?.label).toContain('failed');
    expect(graph.nodes.find((n) => n.id === 'rollout:demo:2')?.label).toBe('demo\nconfig v2–v3, up to 100%');
  });
});
