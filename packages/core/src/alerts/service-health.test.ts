import { describe, expect, it } from 'vitest';
import { serviceHealthSignals } from './service-health.ts';

const windowEnd = '2025-01-01T00:05:00Z';

describe('serviceHealthSignals', () => {
  it('turns error rate and p95 latency into signals against the thresholds', () => {
    const signals = serviceHealthSignals({ windowEnd, requests: 200, errors: 20, p95LatencyMs: 1500 });
    expect(signals).toEqual([
      { kind: 'error_rate', signal: { breached: true, value: 0.1, threshold: 0.05, windowEnd } },
      { kind: 'latency', signal: { breached: true, value: 1500, threshold: 1000, windowEnd } },
    ]);
  });

  it('does not breach at or under the thresholds', () => {
    const signals = serviceHealthSignals({ windowEnd, requests: 100, errors: 5, p95LatencyMs: 1000 });
    expect(signals.map((s) => s.signal.breached)).toEqual([false, false]);
  });

  it('takes custom thresholds', () => {
    const signals = serviceHealthSignals({ windowEnd, requests: 100, errors: 2, p95LatencyMs: 300 }, { maxErrorRate: 0.01, maxP95LatencyMs: 250 });
    expect(signals.map((s) => s.signal.breached)).toEqual([true, true]);
  });

  it('counts windows with too little traffic as clean', () => {
    const signals = serviceHealthSignals({ windowEnd, requests: 3, errors: 2, p95LatencyMs: 5000 });
    expect(signals.map((s) => s.signal.breached)).toEqual([false, false]);
    expect(signals[0].signal.value).toBeCloseTo(2 / 3, 15);
    const idle = serviceHealthSignals({ windowEnd, requests: 0, errors: 0, p95LatencyMs: null });
    expect(idle.map((s) => [s.signal.breached, s.signal.value])).toEqual([
      [false, 0],
      [false, 0],
    ]);
  });
});
