import { describe, expect, it } from 'vitest';
import type { DatasetVersion } from '../retrain/dataset-version.ts';
import type { Run } from '../retrain/run.ts';
import type { EndpointRecord } from './endpoint.ts';
import { lineageGraph, type LineageFacts } from './lineage-graph.ts';
import type { ModelVersion } from './model-version.ts';

const at = '2026-01-01T00:00:00.000Z';
const version = (n: number, lineage: Record<string, unknown> = {}) => ({ model: 'm', version: n, sha256: `${n}`.repeat(64), createdAt: at, lineage }) as ModelVersion;
const run = (runId: string, parentVersion: number, made: number, dataset: number) =>
  ({
    runId,
    model: 'm',
    status: 'succeeded',
    trigger: { kind: 'drift', eventId: 'e1' },
    createdAt: at,
    parentVersion,
    version: made,
    dataset: { name: 'm', version: dataset, sha256: 'd' },
  }) as unknown as Run;
const dataset = (n: number, merged?: number) =>
  ({
    name: 'm',
    version: n,
    sha256: `d${n}`,
    rows: 10 * n,
    createdAt: at,
    createdBy: { runId: `r${n}` },
    source: merged ? { merged: { name: 'm', version: merged, sha256: `d${merged}` } } : {},
  }) as unknown as DatasetVersion;
const config = (configVersion: number, variants: Array<[number, number]>, shadows: number[] = []) =>
  ({
    endpoint: 'e',
    configVersion,
    updatedAt: at,
    change: { kind: 'update', actor: configVersion === 1 ? 'key-1' : 'retrain' },
    config: {
      variants: variants.map(([v, weight], i) => ({ name: `v${i}`, model: 'm', version: v, weight })),
      shadows: shadows.map((v) => ({ name: 's', model: 'm', version: v, percent: 5 })),
    },
  }) as unknown as EndpointRecord;

// v1 by hand → r2 (dataset 1) → v2 → r3 (dataset 2, merging 1) → v3; r4 is v2's sibling from v1.
const facts: LineageFacts = {
  versions: [version(1), version(2, { runId: 'r2', parentVersion: 1 }), version(3, { runId: 'r3', parentVersion: 2 }), version(4, { runId: 'r4', parentVersion: 1 })],
  runs: [run('r2', 1, 2, 1), run('r3', 2, 3, 2), run('r4', 1, 4, 3)],
  datasets: [dataset(1), dataset(2, 1), dataset(3)],
  configs: [
    config(1, [[1, 100]]),
    config(2, [
      [1, 90],
      [2, 10],
    ]),
    config(3, [[2, 100]], [3]),
    config(4, [
      [2, 0],
      [4, 100],
    ]),
  ],
  registeredBy: new Map([['m:1', { id: 'key-1', name: 'alice' }]]),
  keyNames: new Map([['key-1', 'alice']]),
};
const ids = (graph: ReturnType<typeof lineageGraph>) => graph.nodes.map((n) => n.id).sort();

describe('lineage graph', () => {
  it('takes a version upstream to its run, dataset and parent, and downstream to configs and later versions', () => {
    const graph = lineageGraph(facts, { kind: 'version', model: 'm', version: 2 });
    expect(ids(graph)).toEqual(['dataset:m:1', 'endpoint:e:2', 'endpoint:e:3', 'run:r2', 'run:r3', 'version:m:1', 'version:m:2', 'version:m:3'].sort());
    expect(graph.edges).toContainEqual({ from: 'version:m:2', to: 'endpoint:e:2', relation: 'served', variant: 'v1', share: 10 });
    expect(graph.edges).toContainEqual({ from: 'version:m:3', to: 'endpoint:e:3', relation: 'shadowed', variant: 's', share: 5 });
    // Weight 0 serves nothing; dataset 2 is upstream of v3, not of v2.
    expect(graph.edges.find((e) => e.to === 'endpoint:e:4')).toBeUndefined();
    expect(graph.nodes.find((n) => n.id === 'version:m:1')?.by).toEqual({ type: 'key', id: 'key-1', name: 'alice' });
    expect(graph.nodes.find((n) => n.id === 'endpoint:e:2')?.by).toEqual({ type: 'component', id: 'retrain' });
  });

  it('walks a dataset forward, through a merge, and an endpoint config back', () => {
    expect(ids(lineageGraph(facts, { kind: 'dataset', name: 'm', version: 1 }))).toEqual([
      'dataset:m:1',
      'dataset:m:2',
      'endpoint:e:2',
      'endpoint:e:3',
      'run:r2',
      'run:r3',
      'version:m:2',
      'version:m:3',
    ]);
    expect(ids(lineageGraph(facts, { kind: 'endpoint', endpoint: 'e', configVersion: 4 }))).toEqual(['dataset:m:3', 'endpoint:e:4', 'run:r4', 'version:m:1', 'version:m:4'].sort());
    expect(lineageGraph(facts, { kind: 'endpoint', endpoint: 'e' }).start).toHaveLength(4);
    expect(lineageGraph(facts, { kind: 'version', model: 'm', version: 9 }).start).toEqual([]);
  });
});
