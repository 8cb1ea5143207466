import uPlot from 'uplot';
import { h } from './dom.ts';

export interface Series {
  label: string;
  values: Array<number | null>;
  color?: string;
  /** Drawn dashed: thresholds and other reference lines. */
  dashed?: boolean;
}

/**
 * A figure whose uPlot is created once it is laid out and follows its width afterwards; `make`
 * builds the chart at a width, into the element it is given.
 */
function responsiveFigure(title: string, description: string | undefined, make: (width: number, target: HTMLElement) => uPlot) {
  const target = h('div', { class: 'chart', role: 'img', 'aria-label': `${title}${description ? `: ${description}` : ''}` });
  const container = h('figure', { class: 'chart', 'data-chart': title }, h('h3', {}, title), target);
  let plot: uPlot | undefined;
  const width = () => Math.max(240, Math.floor(container.clientWidth || 320));
  const observer = new ResizeObserver(() => {
    if (!plot) plot = make(width(), target);
    else if (Math.abs(plot.width - width()) > 4) plot.setSize({ width: width(), height: plot.height });
  });
  observer.observe(container);
  return { element: container, destroy: () => (observer.disconnect(), plot?.destroy()) };
}

const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#be185d', '#4b5563'];
export const colorOf = (i: number) => PALETTE[i % PALETTE.length];

/**
 * A time-series line chart (uPlot) that follows its container's width. `times` are ms since the
 * epoch; `range` (ms) fixes the time axis to the span asked for, so sparse points sit where they
 * fall in it. The chart carries an accessible name; the numbers themselves are in the tables beside it.
 */
export function lineChart(
  title: string,
  times: number[],
  series: Series[],
  options: { height?: number; yLabel?: string; description?: string; range?: [from: number, to: number] } = {},
) {
  const data: uPlot.AlignedData = [times.map((t) => t / 1000), ...series.map((s) => s.values)];
  return responsiveFigure(
    title,
    options.description,
    (width, target) =>
      new uPlot(
        {
          width,
          height: options.height ?? 180,
          legend: { show: series.length > 1 },
          ...(options.range ? { scales: { x: { range: [options.range[0] / 1000, options.range[1] / 1000] as uPlot.Range.MinMax } } } : {}),
          axes: [{}, { label: options.yLabel, size: 55 }],
          series: [
            {},
            ...series.map((s, i) => ({
              label: s.label,
              stroke: s.color ?? colorOf(i),
              width: 2,
              dash: s.dashed ? [6, 4] : undefined,
              spanGaps: false,
              points: { show: times.length < 30 },
            })),
          ],
        },
        data,
        target,
      ),
  );
}

/**
 * Estimates with their confidence intervals, one per category (variant): a point and a whisker
 * drawn on uPlot's scales, so the overlap — or not — of the intervals is seen at a glance.
 */
export function intervalChart(
  title: string,
  categories: string[],
  estimates: Array<{ value: number | null; lower: number | null; upper: number | null }>,
  options: { yLabel?: string; description?: string } = {},
) {
  const xs = categories.map((_, i) => i);
  const bounds = estimates.flatMap((e) => [e.lower, e.upper, e.value]).filter((v): v is number => v !== null);
  const [low, high] = bounds.length ? [Math.min(...bounds), Math.max(...bounds)] : [0, 1];
  const pad = (high - low || Math.abs(high) || 1) * 0.1;
  const whiskers = (u: uPlot) => {
    const ctx = u.ctx;
    const tick = 6 * devicePixelRatio;
    ctx.save();
    ctx.lineWidth = 2 * devicePixelRatio;
    estimates.forEach((e, i) => {
      if (e.lower === null || e.upper === null) return;
      const x = u.valToPos(i, 'x', true);
      const [top, bottom] = [u.valToPos(e.upper, 'y', true), u.valToPos(e.lower, 'y', true)];
      ctx.strokeStyle = colorOf(i);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      for (const y of [top, bottom]) {
        ctx.moveTo(x - tick, y);
        ctx.lineTo(x + tick, y);
      }
      ctx.stroke();
    });
    ctx.restore();
  };
  return responsiveFigure(
    title,
    options.description,
    (width, target) =>
      new uPlot(
        {
          width,
          height: 200,
          legend: { show: false },
          scales: { x: { time: false, range: [-0.5, categories.length - 0.5] }, y: { range: [low - pad, high + pad] } },
          axes: [
            { splits: () => xs, values: (_u, splits) => splits.map((s) => categories[s] ?? '') },
            { label: options.yLabel, size: 60 },
          ],
          series: [{}, { label: 'estimate', stroke: '#111827', paths: () => null, points: { show: true, size: 9, fill: '#111827' } }],
          hooks: { draw: [whiskers] },
        },
        [xs, estimates.map((e) => e.value)],
        target,
      ),
  );
}

/**
 * Two or more series of values per category drawn as grouped bars (uPlot's bars paths, each
 * series on its own side of the category's tick): a reference next to what it is compared with.
 */
export function groupedBarChart(title: string, categories: string[], series: Series[], options: { yLabel?: string; description?: string } = {}) {
  const xs = categories.map((_, i) => i);
  const bars = uPlot.paths.bars!;
  // Two series sit left and right of the tick; more share the middle.
  const align = (i: number): -1 | 0 | 1 => (series.length === 2 ? (i === 0 ? -1 : 1) : 0);
  const high = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  return responsiveFigure(
    title,
    options.description,
    (width, target) =>
      new uPlot(
        {
          width,
          height: 200,
          legend: { show: true },
          scales: { x: { time: false, range: [-0.5, categories.length - 0.5] }, y: { range: [0, high * 1.1 || 1] } },
          axes: [
            { splits: () => xs, values: (_u, splits) => splits.map((s) => categories[s] ?? ''), rotate: categories.length > 6 ? -30 : 0, size: categories.length > 6 ? 60 : 40 },
            { label: options.yLabel, size: 55 },
          ],
          series: [
            {},
            ...series.map((s, i) => ({
              label: s.label,
              stroke: s.color ?? colorOf(i),
              fill: `${s.color ?? colorOf(i)}99`,
              width: 1,
              paths: bars({ size: [0.4, 48], align: align(i) }),
              points: { show: false },
            })),
          ],
        },
        [xs, ...series.map((s) => s.values)],
        target,
      ),
  );
}
