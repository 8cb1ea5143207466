import { groupedBarChart, lineChart } from '../charts.ts';
import { card, h, show, table } from '../dom.ts';
import { ms, num, percent, pValue } from '../format.ts';
import type { ColumnDrift, DriftView, FeatureDistribution } from '../model.ts';
import { driftOver, driftSeries } from '../monitoring.ts';

export const RANGES = [
  { hours: 24, label: 'Last 24 hours' },
  { hours: 24 * 7, label: 'Last 7 days' },
  { hours: 24 * 30, label: 'Last 30 days' },
];

/**
 * Traffic and drift over a chosen range: the merged drift per column, then — on request, since it
 * is one query per bucket — latency, error rate and each column's drift statistic over time.
 */
export function driftSection(endpoint: string) {
  const range = h('select', { id: 'drift-range', 'aria-label': 'Time range' }, ...RANGES.map((r) => h('option', { value: String(r.hours) }, r.label)));
  const summary = h('div');
  const picker = h('select', { id: 'drift-feature', 'aria-label': 'Distribution of' }, h('option', { value: '' }, 'Pick a column'));
  const distribution = h('div');
  let stopDistribution = () => {};
  const charts = h('div');
  const open = h('button', { type: 'button', 'aria-expanded': 'false' }, 'Show drift over time');
  let destroy: Array<() => void> = [];
  const clearCharts = () => {
    destroy.forEach((stop) => stop());
    destroy = [];
    show(charts);
    open.setAttribute('aria-expanded', 'false');
  };

  const loadSummary = async () => {
    const hours = Number(range.value);
    const now = Date.now();
    const view = await driftOver(endpoint, now - hours * 3_600_000, now);
    show(summary, view ? summaryOf(view) : h('p', { class: 'muted' }, 'The serving version has no baseline yet, so there is no drift to show.'));
    const names = view ? [...view.features, ...view.predictions].map((c) => c.name) : [];
    const picked = names.includes(picker.value) ? picker.value : '';
    show(picker, h('option', { value: '' }, 'Pick a column'), ...names.map((name) => h('option', { value: name }, name)));
    picker.value = picked;
    picker.disabled = names.length === 0;
    await loadDistribution();
  };

  /** The picked column's reference and current shares over the range, as grouped bars. */
  const loadDistribution = async () => {
    stopDistribution();
    stopDistribution = () => {};
    if (!picker.value) return show(distribution);
    const hours = Number(range.value);
    const now = Date.now();
    const view = await driftOver(endpoint, now - hours * 3_600_000, now, picker.value);
    if (!view?.distribution) return show(distribution, h('p', { class: 'muted' }, `No traffic in this range to compare ${picker.value} with.`));
    const chart = distributionChart(view.distribution);
    stopDistribution = chart.destroy;
    show(distribution, chart.element);
  };

  const loadCharts = async () => {
    clearCharts();
    open.setAttribute('aria-expanded', 'true');
    show(charts, h('p', { class: 'muted' }, 'Loading charts…'));
    const series = await driftSeries(endpoint, Number(range.value));
    const times = series.map((s) => s.from);
    const health = series.map((s) => s.view?.health);
    const columns = new Map<string, ColumnDrift>();
    for (const { view } of series) for (const column of [...(view?.features ?? []), ...(view?.predictions ?? [])]) columns.set(column.name, column);
    const made = [
      lineChart('Requests', times, [{ label: 'requests', values: health.map((x) => x?.requests ?? 0) }], { description: 'requests per bucket' }),
      lineChart('Error rate', times, [{ label: 'error rate', values: health.map((x) => (x && x.requests ? x.errorRate * 100 : null)) }], { yLabel: '%' }),
      lineChart(
        'Latency',
        times,
        [
          { label: 'p50', values: health.map((x) => x?.p50 ?? null) },
          { label: 'p95', values: health.map((x) => x?.p95 ?? null) },
        ],
        { yLabel: 'ms' },
      ),
      ...[...columns.values()].map((column) =>
        lineChart(
          column.name,
          times,
          [
            {
              label: column.method.split('+')[1] ?? 'statistic',
              values: series.map((s) => [...(s.view?.features ?? []), ...(s.view?.predictions ?? [])].find((c) => c.name === column.name)?.statistic ?? null),
            },
            { label: 'threshold', values: times.map(() => column.threshold), color: '#9ca3af', dashed: true },
          ],
          { description: `drift statistic (${column.method}) of ${column.name} per bucket, against its threshold ${column.threshold}` },
        ),
      ),
    ];
    destroy = made.map((chart) => chart.destroy);
    show(charts, h('div', { class: 'grid' }, ...made.map((chart) => chart.element)));
  };

  const failed = (where: HTMLElement) => (error: Error) => show(where, h('p', { class: 'notice error', role: 'alert' }, error.message));
  picker.addEventListener('change', () => void loadDistribution().catch(failed(distribution)));
  open.addEventListener('click', () => (open.getAttribute('aria-expanded') === 'true' ? clearCharts() : void loadCharts().catch(failed(charts))));
  range.addEventListener('change', () => {
    const wasOpen = open.getAttribute('aria-expanded') === 'true';
    void loadSummary()
      .then(() => (wasOpen ? loadCharts().catch(failed(charts)) : undefined))
      .catch(failed(summary));
  });
  void loadSummary().catch(failed(summary));
  return {
    element: card(
      'Traffic and drift',
      h('div', { class: 'row' }, h('label', { for: 'drift-range' }, 'Range'), range, open),
      summary,
      h('div', { class: 'row' }, h('label', { for: 'drift-feature' }, 'Distribution of'), picker),
      distribution,
      charts,
    ),
    stop: () => (clearCharts(), stopDistribution()),
  };
}

function summaryOf(view: DriftView): HTMLElement {
  const { health } = view;
  const columns = [...view.features, ...view.predictions];
  return h(
    'div',
    {},
    h(
      'p',
      {},
      `${num(view.window.count)} predictions · ${num(health.requests)} requests · error rate ${percent(health.errorRate, 2)} · p95 ${ms(health.p95)} · `,
      view.drifted ? h('strong', { class: 'bad' }, 'drifted') : h('span', { class: 'good' }, 'no drift'),
    ),
    columns.length
      ? table(
          ['Column', 'Kind', 'Method', 'Statistic', 'Threshold', 'p-value', 'Rows', 'Drifted'],
          columns.map((c) => [
            c.name,
            c.kind,
            c.method,
            num(c.statistic),
            num(c.threshold),
            pValue(c.pValue),
            num(c.count),
            c.drifted ? h('strong', { class: 'bad' }, 'yes') : c.insufficientData ? h('span', { class: 'muted' }, 'too few rows') : 'no',
          ]),
          { numeric: [3, 4, 5, 6], label: 'Drift by column' },
        )
      : null,
  );
}

/** Reference vs current shares per bin; the out-of-range, other and new bins only when either has mass there. */
function distributionChart(d: FeatureDistribution) {
  const labels =
    d.kind === 'numerical'
      ? [`< ${num(d.edges[0])}`, ...d.edges.slice(1).map((edge, i) => `${num(d.edges[i])}–${num(edge)}`), `> ${num(d.edges.at(-1))}`]
      : [...d.categories, 'other', 'new'];
  const special = d.kind === 'numerical' ? [0, labels.length - 1] : [labels.length - 2, labels.length - 1];
  const kept = labels.map((_, i) => i).filter((i) => !special.includes(i) || d.reference[i] > 0 || d.current[i] > 0);
  return groupedBarChart(
    `Distribution of ${d.name}`,
    kept.map((i) => labels[i]),
    [
      { label: `reference (${num(d.referenceCount)} rows)`, values: kept.map((i) => d.reference[i] * 100), color: '#9ca3af' },
      { label: `current (${num(d.currentCount)} rows)`, values: kept.map((i) => d.current[i] * 100), color: '#2563eb' },
    ],
    {
      yLabel: '% of rows',
      description: `share of rows per ${d.kind === 'numerical' ? 'bin' : 'category'}, reference (${num(d.referenceCount)} rows) vs current (${num(d.currentCount)} rows)`,
    },
  );
}
