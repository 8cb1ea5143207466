import { get } from '../api.ts';
import { intervalChart } from '../charts.ts';
import { card, h, table } from '../dom.ts';
import { num, percent, pValue, target, time } from '../format.ts';

interface Experiment {
  kind: 'binary' | 'continuous';
  control: string;
  alpha: number;
  experiment: { fromConfigVersion: number; toConfigVersion: number; since: string; running: boolean };
  variants: Array<{
    name: string;
    model: string;
    version?: number;
    alias?: string;
    weight: number;
    count: number;
    outcomes: number;
    feedback: number;
    rate?: number | null;
    mean?: number | null;
    ci: { lower: number; upper: number } | null;
    comparison: { difference: number; lift: number | null; pValue: number; significant: boolean; sequentialPValue: number; sequentiallySignificant: boolean } | null;
    quality: { labelled?: number; accuracy?: number; valued?: number; rmse?: number; mae?: number } | null;
  }>;
  srm: { mismatch: boolean; pValue: number };
  decisions: Array<{ configVersion: number; at: string; reason?: string; decision?: { action: string; verdict?: string } }>;
}

/** The experiment per variant against the control, sample-ratio mismatch and the guardrail decision log. */
export async function experimentSection(endpoint: string): Promise<{ element: HTMLElement; stop: () => void }> {
  const e = await get<Experiment>(`/v1/endpoints/${encodeURIComponent(endpoint)}/experiment`);
  const value = (v: Experiment['variants'][number]) => (e.kind === 'binary' ? percent(v.rate, 2) : num(v.mean));
  const interval = (v: Experiment['variants'][number]) =>
    v.ci ? (e.kind === 'binary' ? `${percent(v.ci.lower, 2)} – ${percent(v.ci.upper, 2)}` : `${num(v.ci.lower)} – ${num(v.ci.upper)}`) : '—';
  const scale = e.kind === 'binary' ? 100 : 1;
  const estimates = e.variants.map((v) => ({
    value: valueOf(e, v) === null ? null : valueOf(e, v)! * scale,
    lower: v.ci ? v.ci.lower * scale : null,
    upper: v.ci ? v.ci.upper * scale : null,
  }));
  const chart = intervalChart(
    `${e.kind === 'binary' ? 'Rate' : 'Mean'} with ${Math.round((1 - e.alpha) * 100)}% CI`,
    e.variants.map((v) => v.name),
    estimates,
    {
      yLabel: e.kind === 'binary' ? '%' : undefined,
      description: e.variants.map((v) => `${v.name} ${value(v)} (${interval(v)})`).join('; '),
    },
  );
  const element = card(
    'Experiment',
    h(
      'p',
      { class: 'muted' },
      `Config versions ${e.experiment.fromConfigVersion}–${e.experiment.toConfigVersion} since ${time(e.experiment.since)}${e.experiment.running ? ' (running)' : ''}; ${e.kind} outcome, α = ${e.alpha}, against ${e.control}.`,
    ),
    table(
      [
        'Variant',
        'Model',
        'Weight',
        'Predictions',
        'Outcomes',
        e.kind === 'binary' ? 'Rate' : 'Mean',
        `${Math.round((1 - e.alpha) * 100)}% CI`,
        'Lift',
        'p-value',
        'Always-valid p',
        'Significant',
        'Accuracy',
      ],
      e.variants.map((v) => [
        v.name,
        target(v),
        `${v.weight}%`,
        num(v.count),
        num(v.outcomes),
        value(v),
        interval(v),
        v.comparison ? percent(v.comparison.lift) : '—',
        v.comparison ? pValue(v.comparison.pValue) : '—',
        v.comparison ? pValue(v.comparison.sequentialPValue) : '—',
        v.comparison ? (v.comparison.significant ? h('strong', {}, 'yes') : 'no') : 'control',
        v.quality?.accuracy !== undefined ? `${percent(v.quality.accuracy)} of ${num(v.quality.labelled)}` : v.quality?.rmse !== undefined ? `RMSE ${num(v.quality.rmse)}` : '—',
      ]),
      { numeric: [2, 3, 4, 5, 7, 8, 9], label: 'Experiment by variant' },
    ),
    chart.element,
    h(
      'p',
      { class: e.srm.mismatch ? 'bad' : 'muted' },
      e.srm.mismatch
        ? `Sample ratio mismatch (p = ${pValue(e.srm.pValue)}): the split is not serving the configured weights; do not trust the comparison.`
        : `No sample ratio mismatch (p = ${pValue(e.srm.pValue)}).`,
    ),
    h('h3', {}, 'Guardrail decisions'),
    e.decisions.length
      ? table(
          ['Config', 'Action', 'Reason', 'At'],
          e.decisions.map((d) => [`v${d.configVersion}`, d.decision?.action ?? '', d.reason ?? '', time(d.at)]),
          { label: 'Guardrail decisions' },
        )
      : h('p', { class: 'muted' }, 'No guardrail decision yet.'),
  );
  return { element, stop: chart.destroy };
}

const valueOf = (e: Experiment, v: Experiment['variants'][number]) => (e.kind === 'binary' ? v.rate : v.mean) ?? null;
