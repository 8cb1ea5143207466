import type { ModelVersion, Run } from '@flywheel/core';

/** Where an endpoint served a version: the config versions in which it had traffic, and the most it had. */
export interface Rollout {
  endpoint: string;
  version: number;
  configVersions: number[];
  maxWeight: number;
}

export interface LineageNode {
  id: string;
  kind: 'dataset' | 'run' | 'version' | 'rollout';
  label: string;
}

export interface LineageEdge {
  source: string;
  target: string;
  label: string;
}

/** The configs of an endpoint (any order) as rollouts of `model`'s versions named directly. */
export function rolloutsOf(
  endpoint: string,
  model: string,
  history: ReadonlyArray<{ configVersion: number; config: { variants: ReadonlyArray<{ model: string; version?: number; weight: number }> } }>,
): Rollout[] {
  const byVersion = new Map<number, Rollout>();
  for (const record of [...history].sort((a, b) => a.configVersion - b.configVersion)) {
    for (const variant of record.config.variants) {
      if (variant.model !== model || variant.version === undefined || variant.weight <= 0) continue;
      const rollout = byVersion.get(variant.version) ?? { endpoint, version: variant.version, configVersions: [], maxWeight: 0 };
      if (!rollout.configVersions.includes(record.configVersion)) rollout.configVersions.push(record.configVersion);
      rollout.maxWeight = Math.max(rollout.maxWeight, variant.weight);
      byVersion.set(variant.version, rollout);
    }
  }
  return [...byVersion.values()];
}

/**
 * A model's lineage as a graph: dataset → run → version → rollouts, and the champion version a
 * run started from → that run. Versions registered by hand have no run; runs that registered
 * nothing (failed, or not better) still show, so the graph also tells what did not happen.
 */
export function lineageGraph(versions: readonly ModelVersion[], runs: readonly Run[], rollouts: readonly Rollout[]): { nodes: LineageNode[]; edges: LineageEdge[] } {
  const nodes = new Map<string, LineageNode>();
  const edges: LineageEdge[] = [];
  const node = (n: LineageNode) => (nodes.has(n.id) ? undefined : nodes.set(n.id, n));
  const runsById = new Map(runs.map((run) => [run.runId, run]));
  const dataset = (sha256: string, rows: number) => {
    node({ id: `dataset:${sha256}`, kind: 'dataset', label: `dataset ${sha256.slice(0, 8)}\n${rows.toLocaleString('en')} rows` });
    return `dataset:${sha256}`;
  };
  const runNode = (runId: string, run?: Run) => {
    node({ id: `run:${runId}`, kind: 'run', label: `${runId.slice(0, 12)}…\n${run ? run.status : 'run'}` });
    return `run:${runId}`;
  };

  for (const version of versions) {
    const id = `version:${version.version}`;
    node({ id, kind: 'version', label: `v${version.version}` });
    const lineage = version.lineage as { runId?: string; manifestSha256?: string; rows?: number; parentVersion?: number };
    const source = lineage.manifestSha256 ? dataset(lineage.manifestSha256, Number(lineage.rows ?? 0)) : undefined;
    if (lineage.runId) {
      const run = runNode(lineage.runId, runsById.get(lineage.runId));
      if (source) edges.push({ source, target: run, label: 'trained on' });
      edges.push({ source: run, target: id, label: 'registered' });
    } else if (source) {
      edges.push({ source, target: id, label: 'trained on' });
    }
  }
  for (const run of runs) {
    const id = runNode(run.runId, run);
    if (run.dataset && !edges.some((e) => e.target === id && e.label === 'trained on'))
      edges.push({ source: dataset(run.dataset.sha256, run.dataset.rows), target: id, label: 'trained on' });
    if (run.parentVersion !== undefined && nodes.has(`version:${run.parentVersion}`)) edges.push({ source: `version:${run.parentVersion}`, target: id, label: 'champion' });
    if (run.version !== undefined && nodes.has(`version:${run.version}`) && !edges.some((e) => e.source === id && e.target === `version:${run.version}`)) {
      edges.push({ source: id, target: `version:${run.version}`, label: 'registered' });
    }
  }
  for (const rollout of rollouts) {
    if (!nodes.has(`version:${rollout.version}`)) continue;
    const id = `rollout:${rollout.endpoint}:${rollout.version}`;
    const [first, last] = [rollout.configVersions[0], rollout.configVersions.at(-1)];
    node({ id, kind: 'rollout', label: `${rollout.endpoint}\nconfig v${first}${last !== first ? `–v${last}` : ''}, up to ${rollout.maxWeight}%` });
    edges.push({ source: `version:${rollout.version}`, target: id, label: 'served by' });
  }
  return { nodes: [...nodes.values()], edges };
}
