import uPlot from 'uplot';
import { h } from './dom.ts';

export interface Series {
  label: string;
  values: Array<number | null>;
  color?: string;
  /** Drawn dashed: thresholds and other reference lines. */
  dashed?: boolean;
}

const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#be185d', '#4b5563'];
export const colorOf = (i: number) => PALETTE[i % PALETTE.length];

/**
 * A time-series line chart (uPlot) that follows its container's width. `times` are ms since the
 * epoch. The chart carries an accessible name; the numbers themselves are in the tables beside it.
 */
export function lineChart(title: string, times: number[], series: Series[], options: { height?: number; yLabel?: string; description?: string } = {}) {
  const target = h('div', { class: 'chart', role: 'img', 'aria-label': `${title}${options.description ? `: ${options.description}` : ''}` });
  const container = h('figure', { class: 'chart', 'data-chart': title }, h('h3', {}, title), target);
  const data: uPlot.AlignedData = [times.map((t) => t / 1000), ...series.map((s) => s.values)];
  let plot: uPlot | undefined;
  const width = () => Math.max(240, Math.floor(container.clientWidth || 320));
  const observer = new ResizeObserver(() => {
    if (!plot) {
      plot = new uPlot(
        {
          width: width(),
          height: options.height ?? 180,
          legend: { show: series.length > 1 },
          axes: [{}, { label: options.yLabel, size: 55 }],
          series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: s.color ?? colorOf(i), width: 2, dash: s.dashed ? [6, 4] : undefined, spanGaps: false, points: { show: times.length < 30 } }))],
        },
        data,
        target,
      );
    } else if (Math.abs(plot.width - width()) > 4) plot.setSize({ width: width(), height: plot.height });
  });
  observer.observe(container);
  return { element: container, destroy: () => (observer.disconnect(), plot?.destroy()) };
}
