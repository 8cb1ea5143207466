import { promoteVariants } from '@flywheel/cli/split';
import type { VariantSpec } from '@flywheel/core';
import { ApiProblem, get, request } from '../api.ts';
import { card, h, show, table } from '../dom.ts';
import { num, percent, target, time } from '../format.ts';
import type { EndpointView } from '../model.ts';
import { needs } from '../session.ts';
import { splitBar } from '../split-picture.ts';
import { driftSection } from './endpoint-drift.ts';
import { experimentSection } from './endpoint-experiment.ts';
import { performanceSection } from './endpoint-performance.ts';

/** One endpoint: its split (edited against its ETag), history, experiment, traffic, drift and shadows. */
export async function endpointPage(main: HTMLElement, [name]: string[]) {
  const path = `/v1/endpoints/${encodeURIComponent(name)}`;
  const heading = h('div');
  const split = h('div');
  const history = h('div');
  const experiment = h('div');
  const monitoring = h('div');
  const performance = h('div');
  const shadows = h('div');
  show(main, heading, split, history, experiment, monitoring, performance, shadows);
  const stops: Array<() => void> = [];
  let stopExperiment = () => {};

  /** Reads the endpoint and redraws what depends on its config; `notice` says what just happened. */
  const load = async (notice?: HTMLElement) => {
    const { body: view } = await request<EndpointView>(path);
    show(
      heading,
      h('h1', {}, `Endpoint ${view.endpoint}`),
      h('p', { class: 'muted' }, `Config version ${view.configVersion} · ETag ${view.etag} · updated ${time(view.updatedAt)}`),
    );
    show(split, splitEditor(view, notice));
    show(history, await historySection(view));
    const analysed = await experimentSection(name);
    stopExperiment();
    stopExperiment = analysed.stop;
    show(experiment, analysed.element);
  };

  /** PUT the config against the ETag it was read with; a stale one is a conflict shown to resolve. */
  const save = async (view: EndpointView, variants: VariantSpec[], done: string) => {
    try {
      const { body } = await request<EndpointView>(path, { method: 'PUT', json: { ...view.config, variants }, headers: { 'if-match': view.etag } });
      await load(h('p', { class: 'notice', role: 'status' }, `${done}: saved as config version ${body.configVersion}.`));
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 412) return showConflict(view, variants);
      await load(refused('The split was not saved', error));
    }
  };

  const rollback = async (view: EndpointView, configVersion: number) => {
    try {
      const { body } = await request<EndpointView>(`${path}/rollback`, { json: { configVersion }, headers: { 'if-match': view.etag } });
      await load(h('p', { class: 'notice', role: 'status' }, `Restored config version ${configVersion} as config version ${body.configVersion}.`));
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 412) {
        return load(
          h(
            'p',
            { class: 'notice error', role: 'alert' },
            `The endpoint changed before the rollback reached it; nothing was restored. This is the current config — check it and roll back again if you still mean to.`,
          ),
        );
      }
      await load(refused(`Config version ${configVersion} was not restored`, error));
    }
  };

  async function showConflict(mine: EndpointView, variants: VariantSpec[]) {
    const { body: theirs } = await request<EndpointView>(path);
    const sameVariants =
      theirs.config.variants.length === variants.length && variants.every((v) => theirs.config.variants.some((t) => t.name === v.name && target(t) === target(v)));
    const panel = h(
      'div',
      { class: 'conflict', role: 'alert' },
      h('h2', {}, 'Conflict: the endpoint changed while you were editing'),
      h(
        'p',
        {},
        `You edited config version ${mine.configVersion}; it is now at config version ${theirs.configVersion} (${theirs.change.kind}${theirs.change.actor ? ` by ${theirs.change.actor}` : ''}). Your change was not saved, and nothing was overwritten.`,
      ),
      h('p', {}, 'Yours:'),
      splitBar(variants),
      h('p', {}, 'Current:'),
      splitBar(theirs.config.variants),
      h(
        'div',
        { class: 'row' },
        h('button', { type: 'button', onclick: () => void load() }, 'Discard mine and load the current config'),
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            disabled: !sameVariants,
            title: sameVariants ? undefined : 'The variants themselves changed: load the current config and edit again',
            onclick: () => void save(theirs, variants, 'Applied your weights to the current config'),
          },
          'Apply my weights to the current config',
        ),
      ),
    );
    show(split, panel);
  }

  function splitEditor(view: EndpointView, notice?: HTMLElement): HTMLElement {
    const variants = view.config.variants;
    const inputs = variants.map((v) =>
      h('input', { type: 'number', min: 0, max: 100, step: 'any', value: String(v.weight), id: `weight-${v.name}`, 'aria-label': `Weight of ${v.name} (%)`, ...needs('deploy') }),
    );
    const total = h('span', { role: 'status' });
    const saveButton = h('button', { type: 'submit', class: 'primary', ...needs('deploy') }, 'Save split');
    const edited = () => variants.map((v, i) => ({ ...v, weight: Number(inputs[i].value) }));
    const recount = () => {
      const sum = edited().reduce((s, v) => s + v.weight, 0);
      show(total, `Total ${num(sum)}%`);
      total.className = Math.abs(sum - 100) > 1e-9 ? 'bad' : 'muted';
      if (!saveButton.title) saveButton.disabled = Math.abs(sum - 100) > 1e-9 || edited().every((v, i) => v.weight === variants[i].weight);
    };
    for (const input of inputs) input.addEventListener('input', recount);
    recount();
    const control = variants.find((v) => v.name === 'control') ?? variants[0];
    const form = h(
      'form',
      { class: 'stack', 'aria-label': 'Split', onsubmit: (event: Event) => (event.preventDefault(), void save(view, edited(), 'Split changed')) },
      table(
        ['Variant', 'Model', 'Weight', ''],
        variants.map((v, i) => [
          v === control ? `${v.name} (control)` : v.name,
          target(v),
          inputs[i],
          v === control
            ? ''
            : h(
                'button',
                { type: 'button', ...needs('deploy'), onclick: () => void save(view, promoteVariants(view.config, v.name).variants, `Promoted ${v.name}`) },
                `Promote ${v.name}`,
              ),
        ]),
        { label: 'Variants' },
      ),
      h('div', { class: 'row' }, saveButton, total),
    );
    return card(
      'Split',
      notice,
      splitBar(variants),
      form,
      view.config.shadows.length ? h('p', { class: 'muted' }, `Shadows: ${view.config.shadows.map((s) => `${s.name} ${target(s)} ${s.percent}%`).join(', ')}`) : null,
    );
  }

  async function historySection(view: EndpointView): Promise<HTMLElement> {
    const { history } = await get<{ history: EndpointView[] }>(`${path}/history?limit=20`);
    return card(
      'History',
      table(
        ['Config', 'Change', 'By', 'Split', 'At', ''],
        history.map((record) => [
          `v${record.configVersion}`,
          `${record.change.kind}${record.change.restoredFrom ? ` of v${record.change.restoredFrom}` : ''}${record.change.reason ? `: ${record.change.reason}` : ''}`,
          record.change.actor ?? '',
          splitBar(record.config.variants),
          time(record.updatedAt),
          record.configVersion === view.configVersion
            ? h('span', { class: 'muted' }, 'current')
            : h('button', { type: 'button', ...needs('deploy'), onclick: () => void rollback(view, record.configVersion) }, `Roll back to v${record.configVersion}`),
        ]),
        { label: 'Config history' },
      ),
    );
  }

  await load();
  const drift = driftSection(name);
  stops.push(drift.stop);
  show(monitoring, drift.element);
  const performed = performanceSection(name);
  stops.push(performed.stop);
  show(performance, performed.element);
  show(shadows, await shadowSection(path));
  return () => [...stops, stopExperiment].forEach((stop) => stop());
}

/** What the API said when it refused a change, shown above the (unchanged) current config. */
function refused(what: string, error: unknown): HTMLElement {
  return h('p', { class: 'notice error', role: 'alert' }, `${what}: ${(error as Error).message}`);
}

interface ShadowSummary {
  name: string;
  model: string;
  version: number;
  count: number;
  errors: number;
  argmaxAgreement: number | null;
  meanAbsoluteDifference: number | null;
}

async function shadowSection(path: string): Promise<HTMLElement | null> {
  const list = await get<ShadowSummary[]>(`${path}/shadows`);
  if (list.length === 0) return null;
  return card(
    'Shadows (last 24 h)',
    table(
      ['Shadow', 'Model', 'Rows', 'Failures', 'Agreement (same class)', 'Mean abs. difference'],
      list.map((s) => [s.name, `${s.model}@${s.version}`, num(s.count), num(s.errors), percent(s.argmaxAgreement), num(s.meanAbsoluteDifference)]),
      { numeric: [2, 3, 4, 5], label: 'Shadows' },
    ),
  );
}
