import { Hono } from 'hono';
import { z } from 'zod';
import { prometheusBuckets, type ServingMetrics, type Alert, type PerformanceScoreStore, type PerformanceScores } from '@flywheel/core';
import type { MonitoringDependencies } from './monitoring.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';

/** Latency bucket bounds in seconds, from 1 ms to 10 s. */
const LATENCY_BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
}

/** One metric family in the text exposition format. */
class Family {
  readonly #lines: string[];
  constructor(name: string, type: 'counter' | 'gauge' | 'histogram', help: string) {
    this.#lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  }
  sample(name: string, labels: Labels, value: number): this {
    this.#lines.push(`${name}${labelText(labels)} ${Number.isFinite(value) ? value : 'NaN'}`);
    return this;
  }
  get text(): string {
    return this.#lines.join('\n');
  }
}

/**
 * `GET /metrics` (scope read), Prometheus text format: requests and latency by endpoint, variant
 * and version counted in this process; drift scores and performance of the latest judged
 * windows and open alerts read from the monitoring store, so every instance reports the same
 * values for them.
 */
export function metricsRoutes(serving: ServingMetrics, monitoring: MonitoringDependencies & { performanceScores?: Pick<PerformanceScoreStore, 'list'> }, guards: RouteGuards) {
  return declareRoutes(new Hono(), guards).route(
    {
      method: 'get',
      path: '/metrics',
      scope: 'read',
      tags: ['monitoring'],
      summary: 'Prometheus metrics: requests and latency of this process, drift, performance and open alerts',
      responses: { 200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: z.string() } } } },
    },
    async (c) => {
      const [scores, performanceScores, open, acknowledged] = await Promise.all([
        monitoring.driftScores.list(),
        monitoring.performanceScores?.list() ?? [],
        monitoring.alerts.list({ status: 'open', limit: 1000 }),
        monitoring.alerts.list({ status: 'acknowledged', limit: 1000 }),
      ]);
      const requests = new Family('flywheel_predictions_total', 'counter', 'Prediction requests served by this process.');
      const errors = new Family('flywheel_prediction_errors_total', 'counter', 'Prediction requests that failed.');
      const latency = new Family('flywheel_prediction_latency_seconds', 'histogram', 'Prediction request latency.');
      for (const { labels, histogram } of serving.series()) {
        requests.sample('flywheel_predictions_total', { ...labels }, histogram.count);
        errors.sample('flywheel_prediction_errors_total', { ...labels }, histogram.errors);
        const prometheus = prometheusBuckets(histogram, LATENCY_BOUNDS);
        for (const bucket of prometheus.buckets) latency.sample('flywheel_prediction_latency_seconds_bucket', { ...labels, le: String(bucket.le) }, bucket.count);
        latency.sample('flywheel_prediction_latency_seconds_sum', { ...labels }, prometheus.sum);
        latency.sample('flywheel_prediction_latency_seconds_count', { ...labels }, prometheus.count);
      }
      const drift = new Family('flywheel_drift_score', 'gauge', 'Drift effect size per column in the latest judged hour (Wasserstein in reference sd, or Jensen-Shannon).');
      const drifted = new Family('flywheel_drift_detected', 'gauge', '1 when the column drifted in the latest judged hour.');
      for (const s of scores) {
        for (const column of s.columns) {
          const labels = { endpoint: s.endpoint, variant: s.variant, model: s.model, version: String(s.version), column: column.name, role: column.role, method: column.method };
          if (column.statistic !== null) drift.sample('flywheel_drift_score', labels, column.statistic);
          drifted.sample('flywheel_drift_detected', labels, column.drifted ? 1 : 0);
        }
      }
      const alerts = new Family('flywheel_alerts', 'gauge', 'Alerts not yet resolved, by endpoint, kind and status.');
      const counts = new Map<string, { labels: Labels; count: number }>();
      for (const alert of [...open, ...acknowledged] as Alert[]) {
        const labels = { endpoint: alert.endpoint, kind: alert.kind, status: alert.status };
        const id = JSON.stringify(labels);
        counts.set(id, { labels, count: (counts.get(id)?.count ?? 0) + 1 });
      }
      for (const { labels, count } of counts.values()) alerts.sample('flywheel_alerts', labels, count);
      const [performance, performanceRows] = performanceFamilies(performanceScores);
      const body = [requests, errors, latency, drift, drifted, performance, performanceRows, alerts].map((f) => f.text).join('\n') + '\n';
      return c.body(body, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    },
  ).app;
}

/** Realized and estimated figures of the latest judged windows, one sample per metric that has a value. */
function performanceFamilies(scores: readonly PerformanceScores[]): [Family, Family] {
  const figures = new Family(
    'flywheel_performance',
    'gauge',
    'Model performance in the latest judged hour: realized from joined labels, or estimated from predicted probabilities (CBPE).',
  );
  const rows = new Family(
    'flywheel_performance_rows',
    'gauge',
    'Rows the performance figures were computed on: labelled rows (realized) or served rows with probabilities (estimated).',
  );
  for (const s of scores) {
    const series = { endpoint: s.endpoint, variant: s.variant, model: s.model, version: String(s.version) };
    for (const [source, values] of [
      ['realized', s.realized],
      ['estimated', s.estimated],
    ] as const) {
      if (!values) continue;
      rows.sample('flywheel_performance_rows', { ...series, source }, values.rows);
      for (const [metric, value] of Object.entries(values)) {
        if (metric !== 'rows' && typeof value === 'number') figures.sample('flywheel_performance', { ...series, source, metric }, value);
      }
    }
  }
  return [figures, rows];
}
