import { describe, expect, it } from 'vitest';
import { latencyQuantile } from '../serving-health/latency-histogram.ts';
import type { PredictionLogEntry, PredictionLogSink } from './entry.ts';
import { ServingMetrics, meteredSink } from './serving-metrics.ts';

describe('ServingMetrics', () => {
  it('counts every request by endpoint, variant and version, sampled or not, before the sink sees it', () => {
    const seen: PredictionLogEntry[] = [];
    const sink: PredictionLogSink = { log: (e) => void seen.push(e), flush: async () => undefined, close: async () => undefined };
    const metrics = new ServingMetrics();
    const logged = meteredSink(sink, metrics);
    const base = { requestId: 'r', time: '2025-01-01T00:00:00Z', endpoint: 'e', model: 'm', configVersion: 1, rows: [], logging: { percent: 0, redact: [] } };
    for (let i = 0; i < 10; i++) logged.log({ ...base, variant: 'a', version: 1, latencyMs: i + 1, status: i < 2 ? 'error' : 'ok' });
    logged.log({ ...base, variant: 'b', version: 2, latencyMs: 5, status: 'ok' });
    expect(seen).toHaveLength(11);
    const [a, b] = metrics.series();
    expect(a.labels).toEqual({ endpoint: 'e', variant: 'a', model: 'm', version: '1' });
    expect([a.histogram.count, a.histogram.errors, b.histogram.count]).toEqual([10, 2, 1]);
    expect(latencyQuantile(a.histogram, 0.5)).toBeCloseTo(5, 0);
  });
});
