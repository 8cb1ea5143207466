import { lineChart, type Series } from '../charts.ts';
import { card, h, show } from '../dom.ts';
import { num, target } from '../format.ts';
import { get, query } from '../api.ts';
import type { PerformanceFigures, PerformanceView } from '../model.ts';
import { RANGES } from './endpoint-drift.ts';

type Metric = 'accuracy' | 'rmse' | 'mae';
const accuracyOf = (figures: PerformanceFigures['realized']) => (figures && 'accuracy' in figures ? figures.accuracy : null);
const errorOf = (figures: PerformanceFigures['realized'], metric: 'rmse' | 'mae') => (figures && 'rmse' in figures ? figures[metric] : null);

/**
 * Realized performance (from joined labels) and the confidence-based estimate (from the served
 * probabilities) per window, for each variant and model version, against the version's reference.
 */
export function performanceSection(endpoint: string) {
  const range = h('select', { id: 'performance-range', 'aria-label': 'Performance range' }, ...RANGES.map((r) => h('option', { value: String(r.hours) }, r.label)));
  const body = h('div');
  let destroy: Array<() => void> = [];
  const stop = () => (destroy.forEach((d) => d()), (destroy = []));

  const load = async () => {
    const to = Date.now();
    const from = to - Number(range.value) * 3_600_000;
    const view = await get<PerformanceView>(
      `/v1/endpoints/${encodeURIComponent(endpoint)}/performance${query({ from: new Date(from).toISOString(), to: new Date(to).toISOString() })}`,
    );
    stop();
    const series = view.series.filter((s) => s.windows.length > 0);
    if (series.length === 0)
      return show(body, h('p', { class: 'muted' }, 'No performance in this range yet: it needs labelled feedback (realized) or predicted probabilities (estimated).'));
    const charts = series.flatMap((s) => {
      const times = s.windows.map((w) => Date.parse(w.from));
      const name = `${s.variant} (${target(s)})`;
      const regression = s.realized !== null && !('accuracy' in s.realized);
      const metrics: Metric[] = regression ? ['rmse', 'mae'] : ['accuracy'];
      return metrics.map((metric) => {
        const reference = s.reference?.[metric];
        const lines: Series[] =
          metric === 'accuracy'
            ? [
                { label: 'realized', values: s.windows.map((w) => accuracyOf(w.realized)) },
                { label: 'estimated', values: s.windows.map((w) => accuracyOf(w.estimated)), color: '#d97706' },
              ]
            : [{ label: 'realized', values: s.windows.map((w) => errorOf(w.realized, metric)) }];
        if (reference !== undefined) lines.push({ label: 'reference', values: times.map(() => reference), color: '#9ca3af', dashed: true });
        const title = `${metric === 'accuracy' ? 'Accuracy' : metric.toUpperCase()} of ${name}`;
        return lineChart(title, times, lines, {
          range: [from, to],
          description: `${lines.map((l) => l.label).join(' vs ')} ${metric} per window${reference === undefined ? '' : `, reference ${num(reference)}`}`,
        });
      });
    });
    destroy = charts.map((c) => c.destroy);
    show(body, ...series.map(mergedLine), h('div', { class: 'grid' }, ...charts.map((c) => c.element)));
  };

  const failed = (error: Error) => show(body, h('p', { class: 'notice error', role: 'alert' }, error.message));
  range.addEventListener('change', () => void load().catch(failed));
  void load().catch(failed);
  return { element: card('Performance', h('div', { class: 'row' }, h('label', { for: 'performance-range' }, 'Range'), range), body), stop };
}

/** The range merged, in one line per variant and version. */
function mergedLine(s: PerformanceView['series'][number]): HTMLElement {
  const realized = !s.realized
    ? 'no labels yet'
    : 'accuracy' in s.realized
      ? `realized accuracy ${num(s.realized.accuracy)} on ${num(s.realized.rows)} labelled rows`
      : `realized RMSE ${num(s.realized.rmse)}, MAE ${num(s.realized.mae)} on ${num(s.realized.rows)} labelled rows`;
  const estimated = s.estimated ? ` · estimated accuracy ${num(s.estimated.accuracy)} on ${num(s.estimated.rows)} rows` : '';
  const reference = s.reference
    ? ` · reference ${Object.entries(s.reference)
        .map(([k, v]) => `${k} ${num(v)}`)
        .join(', ')}`
    : '';
  return h('p', {}, `${s.variant} (${target(s)}): ${realized}${estimated}${reference}`);
}
