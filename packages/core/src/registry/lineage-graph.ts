import type { DatasetRef, DatasetVersion } from '../retrain/dataset-version.ts';
import type { Run } from '../retrain/run.ts';
import type { EndpointRecord } from './endpoint.ts';
import type { ModelVersion } from './model-version.ts';

/** Who made a node: an API key, the run that wrote it, what started a run, or a component (the trainer, a guardrail). */
export type LineageActor =
  | { readonly type: 'key'; readonly id: string; readonly name?: string }
  | { readonly type: 'run'; readonly id: string }
  | { readonly type: 'trigger'; readonly id: string; readonly eventId?: string; readonly reason?: string }
  | { readonly type: 'component'; readonly id: string }
  | { readonly type: 'unknown' };

interface NodeBase {
  /** `dataset:<name>:<v>`, `run:<runId>`, `version:<model>:<v>`, `endpoint:<endpoint>:<configVersion>`. */
  readonly id: string;
  readonly by: LineageActor;
  readonly at: string;
}

export type LineageNode =
  | (NodeBase & { readonly kind: 'dataset'; readonly name: string; readonly version: number; readonly sha256: string; readonly rows: number })
  | (NodeBase & { readonly kind: 'run'; readonly runId: string; readonly model: string; readonly status: Run['status']; readonly trigger: string; readonly finishedAt?: string })
  | (NodeBase & { readonly kind: 'version'; readonly model: string; readonly version: number; readonly sha256: string })
  | (NodeBase & {
      readonly kind: 'endpoint-config';
      readonly endpoint: string;
      readonly configVersion: number;
      readonly change: string;
      readonly reason?: string;
      readonly current: boolean;
    });

/** Upstream to downstream: what a thing was made from → the thing. */
export interface LineageEdge {
  readonly from: string;
  readonly to: string;
  readonly relation: 'trained' | 'merged-into' | 'champion' | 'registered' | 'parent' | 'served' | 'shadowed';
  /** For served and shadowed: the variant or shadow, and its weight or percent. */
  readonly variant?: string;
  readonly share?: number;
}

export interface LineageGraph {
  /** The nodes the query named. */
  readonly start: readonly string[];
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly LineageEdge[];
}

/** What is known about the models in question; the graph is drawn from this alone. */
export interface LineageFacts {
  readonly versions: readonly ModelVersion[];
  readonly runs: readonly Run[];
  readonly datasets: readonly DatasetVersion[];
  /** Every config version of the endpoints that ever named one of the models. */
  readonly configs: readonly EndpointRecord[];
  /** `model:version` → the key that registered it, from the audit trail. */
  readonly registeredBy: ReadonlyMap<string, { id: string; name: string }>;
  /** Names of the API keys that made config changes. */
  readonly keyNames: ReadonlyMap<string, string>;
}

export type LineageStart =
  | { readonly kind: 'version'; readonly model: string; readonly version: number }
  | { readonly kind: 'dataset'; readonly name: string; readonly version: number }
  | { readonly kind: 'run'; readonly runId: string }
  | { readonly kind: 'endpoint'; readonly endpoint: string; readonly configVersion?: number };

export const versionNodeId = (model: string, version: number) => `version:${model}:${version}`;
export const datasetNodeId = (dataset: Pick<DatasetRef, 'name' | 'version'>) => `dataset:${dataset.name}:${dataset.version}`;
export const runNodeId = (runId: string) => `run:${runId}`;
export const configNodeId = (endpoint: string, configVersion: number) => `endpoint:${endpoint}:${configVersion}`;

/**
 * The lineage of the start: everything upstream of it (what it was made from, back to the first
 * dataset) and everything downstream (what was made from it, out to the endpoint configs that
 * served it) — dataset versions → runs → model versions → endpoint config versions. Siblings (a
 * version trained from the same parent by another run) are in neither direction and left out.
 */
export function lineageGraph(facts: LineageFacts, start: LineageStart): LineageGraph {
  const { nodes, edges } = fullGraph(facts);
  const starts = startNodes(nodes, start);
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>();
  for (const edge of edges) {
    upstream.set(edge.to, [...(upstream.get(edge.to) ?? []), edge.from]);
    downstream.set(edge.from, [...(downstream.get(edge.from) ?? []), edge.to]);
  }
  const kept = new Set<string>([...walk(starts, upstream), ...walk(starts, downstream)]);
  return {
    start: starts,
    nodes: [...nodes.values()].filter((node) => kept.has(node.id)),
    edges: edges.filter((edge) => kept.has(edge.from) && kept.has(edge.to)),
  };
}

function walk(from: readonly string[], next: ReadonlyMap<string, string[]>): Set<string> {
  const seen = new Set(from);
  const queue = [...from];
  while (queue.length) {
    for (const id of next.get(queue.pop()!) ?? []) {
      if (!seen.has(id)) {
        seen.add(id);
        queue.push(id);
      }
    }
  }
  return seen;
}

function startNodes(nodes: ReadonlyMap<string, LineageNode>, start: LineageStart): string[] {
  switch (start.kind) {
    case 'version':
      return [versionNodeId(start.model, start.version)].filter((id) => nodes.has(id));
    case 'dataset':
      return [datasetNodeId(start)].filter((id) => nodes.has(id));
    case 'run':
      return [runNodeId(start.runId)].filter((id) => nodes.has(id));
    case 'endpoint':
      return [...nodes.values()].flatMap((node) =>
        node.kind === 'endpoint-config' && node.endpoint === start.endpoint && (start.configVersion === undefined || node.configVersion === start.configVersion) ? [node.id] : [],
      );
  }
}

function fullGraph(facts: LineageFacts): { nodes: Map<string, LineageNode>; edges: LineageEdge[] } {
  const nodes = new Map<string, LineageNode>();
  const edges: LineageEdge[] = [];
  const edge = (e: LineageEdge) => {
    if (!edges.some((x) => x.from === e.from && x.to === e.to && x.relation === e.relation && x.variant === e.variant)) edges.push(e);
  };
  const datasets = new Map(facts.datasets.map((d) => [datasetNodeId(d), d]));
  const runs = new Map(facts.runs.map((run) => [run.runId, run]));

  for (const dataset of facts.datasets) {
    nodes.set(datasetNodeId(dataset), {
      id: datasetNodeId(dataset),
      kind: 'dataset',
      name: dataset.name,
      version: dataset.version,
      sha256: dataset.sha256,
      rows: dataset.rows,
      by: { type: 'run', id: dataset.createdBy.runId },
      at: dataset.createdAt,
    });
    const merged = dataset.source.merged;
    if (merged && datasets.has(datasetNodeId(merged))) edge({ from: datasetNodeId(merged), to: datasetNodeId(dataset), relation: 'merged-into' });
  }
  for (const run of facts.runs) {
    const id = runNodeId(run.runId);
    nodes.set(id, {
      id,
      kind: 'run',
      runId: run.runId,
      model: run.model,
      status: run.status,
      trigger: run.trigger.kind,
      ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
      by: {
        type: 'trigger',
        id: run.trigger.kind,
        ...(run.trigger.eventId ? { eventId: run.trigger.eventId } : {}),
        ...(run.trigger.reason ? { reason: run.trigger.reason } : {}),
      },
      at: run.createdAt,
    });
    if (run.dataset?.name !== undefined && run.dataset.version !== undefined) {
      const dataset = datasetNodeId({ name: run.dataset.name, version: run.dataset.version });
      if (datasets.has(dataset)) edge({ from: dataset, to: id, relation: 'trained' });
    }
  }
  const versions = new Set(facts.versions.map((v) => versionNodeId(v.model, v.version)));
  for (const version of facts.versions) {
    const id = versionNodeId(version.model, version.version);
    const lineage = version.lineage as { runId?: unknown; parentVersion?: unknown; dataset?: DatasetRef };
    const runId = typeof lineage.runId === 'string' ? lineage.runId : undefined;
    const key = facts.registeredBy.get(`${version.model}:${version.version}`);
    const by: LineageActor = key ? { type: 'key', id: key.id, name: key.name } : runId ? { type: 'run', id: runId } : { type: 'unknown' };
    nodes.set(id, { id, kind: 'version', model: version.model, version: version.version, sha256: version.sha256, by, at: version.createdAt });
    const parent = typeof lineage.parentVersion === 'number' ? versionNodeId(version.model, lineage.parentVersion) : undefined;
    if (runId && runs.has(runId)) {
      edge({ from: runNodeId(runId), to: id, relation: 'registered' });
    } else {
      // Registered by a pipeline outside Flywheel (or its run is gone): link what its lineage names.
      if (parent && versions.has(parent)) edge({ from: parent, to: id, relation: 'parent' });
      if (lineage.dataset && datasets.has(datasetNodeId(lineage.dataset))) edge({ from: datasetNodeId(lineage.dataset), to: id, relation: 'trained' });
    }
  }
  for (const run of facts.runs) {
    const id = runNodeId(run.runId);
    if (run.parentVersion !== undefined && versions.has(versionNodeId(run.model, run.parentVersion)))
      edge({ from: versionNodeId(run.model, run.parentVersion), to: id, relation: 'champion' });
    if (run.version !== undefined && versions.has(versionNodeId(run.model, run.version))) edge({ from: id, to: versionNodeId(run.model, run.version), relation: 'registered' });
  }
  const newestConfig = new Map<string, number>();
  for (const record of facts.configs) newestConfig.set(record.endpoint, Math.max(newestConfig.get(record.endpoint) ?? 0, record.configVersion));
  for (const record of facts.configs) {
    const id = configNodeId(record.endpoint, record.configVersion);
    const actor = record.change.actor;
    const keyName = actor === undefined ? undefined : facts.keyNames.get(actor);
    nodes.set(id, {
      id,
      kind: 'endpoint-config',
      endpoint: record.endpoint,
      configVersion: record.configVersion,
      change: record.change.kind,
      ...(record.change.reason ? { reason: record.change.reason } : {}),
      current: newestConfig.get(record.endpoint) === record.configVersion,
      by: actor === undefined ? { type: 'unknown' } : keyName !== undefined ? { type: 'key', id: actor, name: keyName } : { type: 'component', id: actor },
      at: record.updatedAt,
    });
    for (const variant of record.config.variants) {
      const served = variant.version !== undefined ? versionNodeId(variant.model, variant.version) : undefined;
      if (served && variant.weight > 0 && versions.has(served)) edge({ from: served, to: id, relation: 'served', variant: variant.name, share: variant.weight });
    }
    for (const shadow of record.config.shadows ?? []) {
      const shadowed = shadow.version !== undefined ? versionNodeId(shadow.model, shadow.version) : undefined;
      if (shadowed && versions.has(shadowed)) edge({ from: shadowed, to: id, relation: 'shadowed', variant: shadow.name, share: shadow.percent });
    }
  }
  return { nodes, edges };
}
