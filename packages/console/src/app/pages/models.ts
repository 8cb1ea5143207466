import type { AliasChange, ModelVersion, Run } from '@flywheel/core';
import { ApiProblem, get } from '../api.ts';
import { card, h, show, table } from '../dom.ts';
import { num, time } from '../format.ts';
import { lineageGraph, rolloutsOf, type LineageNode, type Rollout } from '../lineage.ts';
import type { EndpointView } from '../model.ts';

/** Every registered model with its latest version. */
export async function modelsPage(main: HTMLElement) {
  const { models } = await get<{ models: Array<{ model: string; latestVersion: number; updatedAt: string }> }>('/v1/models');
  show(
    main,
    h('h1', {}, 'Models'),
    card(
      `${models.length} model${models.length === 1 ? '' : 's'}`,
      models.length
        ? table(
            ['Model', 'Latest version', 'Updated'],
            models.map((m) => [h('a', { href: `#/models/${encodeURIComponent(m.model)}` }, m.model), `v${m.latestVersion}`, time(m.updatedAt)]),
            { label: 'Models' },
          )
        : h('p', { class: 'muted' }, 'Nothing registered yet: POST /v1/models/{model}/versions or `npx flywheel models register`.'),
    ),
  );
}

/** `name FP32[-1, 6]`; a tensor of unknown rank shows `[?]`. */
const tensors = (list: ModelVersion['signature']['inputs']) => list.map((t) => `${t.name} ${t.datatype}[${t.shape ? t.shape.join(', ') : '?'}]`).join('; ');

/** A model: versions with signature, features and lineage (also as a graph); aliases and their history; runs, compared side by side. */
export async function modelPage(main: HTMLElement, [name]: string[]) {
  const path = `/v1/models/${encodeURIComponent(name)}`;
  const [model, runs] = await Promise.all([
    get<{ model: string; versions: ModelVersion[]; aliases: AliasChange[] }>(path),
    get<{ runs: Run[] }>(`${path}/runs?limit=50`).catch((error: unknown) => {
      if (error instanceof ApiProblem && error.status === 404) return { runs: [] as Run[] };
      throw error;
    }),
  ]);
  const histories = await Promise.all(model.aliases.map((a) => get<{ history: AliasChange[] }>(`${path}/aliases/${encodeURIComponent(a.alias)}/history`).then((r) => r.history)));
  const rollouts = await rolloutsOfModel(model.model);
  const graph = lineageGraph(model.versions, runs.runs, rollouts);
  const compare = h('div');
  const graphBox = h('div', { class: 'lineage', role: 'img', 'aria-label': `Lineage of ${model.model}: ${countsOf(graph.nodes)}` });
  const versions = [...model.versions].reverse();
  show(
    main,
    h('h1', {}, `Model ${model.model}`),
    card(
      'Versions',
      table(
        ['Version', 'Created', 'Size', 'sha256', 'Inputs', 'Outputs', 'Task', 'Lineage'],
        versions.map((v) => [
          `v${v.version}`,
          time(v.createdAt),
          v.sizeBytes < 1024 ? `${v.sizeBytes} B` : `${num(Math.round(v.sizeBytes / 1024))} KiB`,
          h('code', { title: v.sha256 }, v.sha256.slice(0, 12)),
          tensors(v.signature.inputs),
          tensors(v.signature.outputs),
          v.task ? `${v.task.type} → ${v.task.output}` : '—',
          lineageText(v),
        ]),
        { numeric: [2], label: 'Versions' },
      ),
    ),
    ...versions.slice(0, 1).flatMap((v) =>
      v.features?.length
        ? [
            card(
              `Features of v${v.version}`,
              table(
                ['Feature', 'Kind', 'Input', 'Index', 'Categories'],
                v.features.map((f) => [f.name, f.kind, f.input, f.index ?? '', (f.categories ?? []).join(', ')]),
                { label: 'Features' },
              ),
            ),
          ]
        : [],
    ),
    card(
      'Aliases',
      model.aliases.length
        ? table(
            ['Alias', 'Version', 'History'],
            model.aliases.map((a, i) => [
              a.alias,
              `v${a.version}`,
              histories[i].map((change) => `v${change.version} at ${time(change.changedAt)}${change.actor ? ` by ${change.actor}` : ''}`).join(' ← '),
            ]),
            { label: 'Aliases' },
          )
        : h('p', { class: 'muted' }, 'No aliases.'),
    ),
    card(
      'Lineage',
      h('p', { class: 'muted' }, 'Dataset → run → version → the endpoints that served it.'),
      graphBox,
      h(
        'details',
        {},
        h('summary', {}, 'As a list'),
        h('ul', { 'aria-label': 'Lineage edges' }, ...graph.edges.map((e) => h('li', {}, `${labelOf(graph.nodes, e.source)} → ${e.label} → ${labelOf(graph.nodes, e.target)}`))),
      ),
    ),
    card('Retraining runs', runs.runs.length ? runsTable(runs.runs, compare) : h('p', { class: 'muted' }, 'No runs yet.'), compare),
  );
  const { drawLineage } = await import('../lineage-graph.ts');
  return drawLineage(graphBox, graph);
}

/** Every endpoint's config history, as rollouts of this model's versions. */
async function rolloutsOfModel(model: string): Promise<Rollout[]> {
  const { endpoints } = await get<{ endpoints: EndpointView[] }>('/v1/endpoints');
  const serving = endpoints.filter((e) => e.config.variants.some((v) => v.model === model));
  const histories = await Promise.all(serving.map((e) => get<{ history: EndpointView[] }>(`/v1/endpoints/${encodeURIComponent(e.endpoint)}/history?limit=1000`)));
  return serving.flatMap((e, i) => rolloutsOf(e.endpoint, model, histories[i].history));
}

const labelOf = (nodes: LineageNode[], id: string) => nodes.find((n) => n.id === id)?.label.replace('\n', ' ') ?? id;

function countsOf(nodes: LineageNode[]): string {
  const count = (kind: LineageNode['kind']) => nodes.filter((n) => n.kind === kind).length;
  return `${count('dataset')} datasets, ${count('run')} runs, ${count('version')} versions, ${count('rollout')} rollouts`;
}

/** The runs, each with a box to pick it for the side-by-side comparison drawn into `compare`. */
function runsTable(runs: Run[], compare: HTMLElement): HTMLElement {
  const picked = new Set<string>();
  const button = h('button', { type: 'button', disabled: true }, 'Compare selected runs');
  button.addEventListener('click', () => show(compare, comparison(runs.filter((r) => picked.has(r.runId)))));
  return h(
    'div',
    { class: 'stack' },
    table(
      ['', 'Run', 'Status', 'Trigger', 'Created', 'Params', 'Primary metric', 'Improvement', 'Version', 'Canary'],
      runs.map((r) => [
        h('input', {
          type: 'checkbox',
          'aria-label': `Compare ${r.runId}`,
          onchange: (event: Event) => {
            if ((event.target as HTMLInputElement).checked) picked.add(r.runId);
            else picked.delete(r.runId);
            button.disabled = picked.size < 2;
          },
        }),
        h('code', {}, r.runId),
        r.status + (r.error ? `: ${r.error}` : ''),
        `${r.trigger.kind}${r.trigger.reason ? ` (${r.trigger.reason})` : ''}`,
        time(r.createdAt),
        r.params ? h('code', {}, JSON.stringify(r.params)) : '—',
        r.metrics
          ? `${r.metrics.primary} ${num(r.metrics.challenger[r.metrics.primary])}${r.metrics.champion ? ` (champion ${num(r.metrics.champion[r.metrics.primary])})` : ''}`
          : '—',
        r.metrics?.improvement !== undefined ? num(r.metrics.improvement) : '—',
        r.version ? `v${r.version}` : '—',
        r.canary ? (r.canary.started ? 'started' : r.canary.reason) : '—',
      ]),
      { label: 'Runs' },
    ),
    button,
  );
}

/** Runs side by side: one column per run, one row per param and metric any of them has. */
function comparison(runs: Run[]): HTMLElement {
  const keys = (pick: (run: Run) => Readonly<Record<string, unknown>> | undefined) => [...new Set(runs.flatMap((run) => Object.keys(pick(run) ?? {})))].sort();
  const cell = (value: unknown) => (value === undefined ? '—' : typeof value === 'number' ? num(value) : typeof value === 'object' ? JSON.stringify(value) : String(value));
  const rows: Array<[string, (run: Run) => unknown]> = [
    ['status', (r) => r.status],
    ['trigger', (r) => r.trigger.kind],
    ['dataset rows', (r) => r.dataset?.rows],
    ['parent version', (r) => r.parentVersion],
    ['registered version', (r) => r.version],
    ...keys((r) => r.params).map((k): [string, (run: Run) => unknown] => [`param ${k}`, (r) => r.params?.[k]]),
    ...keys((r) => r.metrics?.challenger).map((k): [string, (run: Run) => unknown] => [`challenger ${k}`, (r) => r.metrics?.challenger[k]]),
    ...keys((r) => r.metrics?.champion).map((k): [string, (run: Run) => unknown] => [`champion ${k}`, (r) => r.metrics?.champion?.[k]]),
    ['improvement', (r) => r.metrics?.improvement],
  ];
  return h(
    'div',
    {},
    h('h3', {}, 'Comparison'),
    table(
      ['', ...runs.map((r) => r.runId)],
      rows.map(([label, read]) => [label, ...runs.map((r) => cell(read(r)))]),
      { label: 'Run comparison' },
    ),
  );
}

function lineageText(version: ModelVersion): string {
  const lineage = (version.lineage ?? {}) as Record<string, unknown>;
  const parts = [
    lineage.runId ? `run ${lineage.runId}` : '',
    lineage.parentVersion ? `from v${lineage.parentVersion}` : '',
    lineage.rows ? `${num(Number(lineage.rows))} rows` : '',
    lineage.manifestSha256 ? `dataset ${String(lineage.manifestSha256).slice(0, 12)}` : '',
  ].filter(Boolean);
  return parts.join(' · ') || '—';
}
