import type { AliasChange, ModelVersion, Run } from '@flywheel/core';
import { ApiProblem, get } from '../api.ts';
import { card, h, show, table } from '../dom.ts';
import { num, time } from '../format.ts';

/** Every registered model with its latest version. */
export async function modelsPage(main: HTMLElement) {
  const { models } = await get<{ models: Array<{ model: string; latestVersion: number; updatedAt: string }> }>('/v1/models');
  show(
    main,
    h('h1', {}, 'Models'),
    card(
      `${models.length} model${models.length === 1 ? '' : 's'}`,
      models.length
        ? table(['Model', 'Latest version', 'Updated'], models.map((m) => [h('a', { href: `#/models/${encodeURIComponent(m.model)}` }, m.model), `v${m.latestVersion}`, time(m.updatedAt)]), { label: 'Models' })
        : h('p', { class: 'muted' }, 'Nothing registered yet: POST /v1/models/{model}/versions or `npx flywheel models register`.'),
    ),
  );
}

/** `name FP32[-1, 6]`; a tensor of unknown rank shows `[?]`. */
const tensors = (list: ModelVersion['signature']['inputs']) => list.map((t) => `${t.name} ${t.datatype}[${t.shape ? t.shape.join(', ') : '?'}]`).join('; ');

/** A model: versions with signature, features and lineage; aliases and their history; retraining runs. */
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
          `${num(Math.round(v.sizeBytes / 1024))} KiB`,
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
        ? [card(`Features of v${v.version}`, table(['Feature', 'Kind', 'Input', 'Index', 'Categories'], v.features.map((f) => [f.name, f.kind, f.input, f.index ?? '', (f.categories ?? []).join(', ')]), { label: 'Features' }))]
        : [],
    ),
    card(
      'Aliases',
      model.aliases.length
        ? table(
            ['Alias', 'Version', 'History'],
            model.aliases.map((a, i) => [a.alias, `v${a.version}`, histories[i].map((change) => `v${change.version} at ${time(change.changedAt)}${change.actor ? ` by ${change.actor}` : ''}`).join(' ← ')]),
            { label: 'Aliases' },
          )
        : h('p', { class: 'muted' }, 'No aliases.'),
    ),
    card(
      'Retraining runs',
      runs.runs.length
        ? table(
            ['Run', 'Status', 'Trigger', 'Created', 'Params', 'Primary metric', 'Improvement', 'Version', 'Canary'],
            runs.runs.map((r) => [
              h('code', {}, r.runId),
              r.status + (r.error ? `: ${r.error}` : ''),
              `${r.trigger.kind}${r.trigger.reason ? ` (${r.trigger.reason})` : ''}`,
              time(r.createdAt),
              r.params ? h('code', {}, JSON.stringify(r.params)) : '—',
              r.metrics ? `${r.metrics.primary} ${num(r.metrics.challenger[r.metrics.primary])}${r.metrics.champion ? ` (champion ${num(r.metrics.champion[r.metrics.primary])})` : ''}` : '—',
              r.metrics?.improvement !== undefined ? num(r.metrics.improvement) : '—',
              r.version ? `v${r.version}` : '—',
              r.canary ? (r.canary.started ? 'started' : r.canary.reason) : '—',
            ]),
            { label: 'Runs' },
          )
        : h('p', { class: 'muted' }, 'No runs yet.'),
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
