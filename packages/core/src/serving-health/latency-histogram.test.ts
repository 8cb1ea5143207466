import { describe, expect, it } from 'vitest';
import {
  LATENCY_RELATIVE_ERROR,
  LatencyHistogramSchema,
  createLatencyHistogram,
  errorRate,
  latencyQuantile,
  mergeLatencyHistograms,
  prometheusBuckets,
  recordRequest,
  type LatencyHistogram,
} from './latency-histogram.ts';
import { sample, seededRandom } from '@flywheel/testing/drift/random';

const random = seededRandom(8);
// Median 20 ms with a long tail: 1 % of requests above ~200 ms.
const latencies = sample(50_000, () => random.lognormal(Math.log(20), 1));

function histogramOf(values: readonly number[], failedEvery = 0): LatencyHistogram {
  const histogram = createLatencyHistogram();
  values.forEach((ms, i) => recordRequest(histogram, ms, failedEvery > 0 && i % failedEvery === 0));
  return histogram;
}

/** Nearest-rank quantile, the definition latencyQuantile estimates. */
function exactQuantile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1];
}

describe('latency histogram', () => {
  const histogram = histogramOf(latencies, 50);
  const sorted = [...latencies].sort((a, b) => a - b);

  it.each([0.5, 0.9, 0.95, 0.99, 0.999])('estimates p%d within the bucket’s relative error', (p) => {
    const exact = exactQuantile(sorted, p);
    const estimate = latencyQuantile(histogram, p) as number;
    expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR + 1e-12);
  });

  it('returns the observed extremes at p0 and p100, and null when empty', () => {
    expect(latencyQuantile(histogram, 0)).toBe(sorted[0]);
    expect(latencyQuantile(histogram, 1)).toBe(sorted.at(-1));
    expect(latencyQuantile(createLatencyHistogram(), 0.5)).toBeNull();
  });

  it('keeps values outside 0.05 ms … 60 s in under/overflow buckets', () => {
    const extremes = histogramOf([0, 0.01, 5, 90_000, 120_000]);
    expect(extremes.buckets[0]).toBe(2);
    expect(extremes.buckets.at(-1)).toBe(2);
    expect(latencyQuantile(extremes, 0.2)).toBe(0);
    expect(latencyQuantile(extremes, 1)).toBe(120_000);
  });

  it('counts requests and errors', () => {
    expect(histogram.count).toBe(50_000);
    expect(errorRate(histogram)).toBe(0.02);
    expect(errorRate(createLatencyHistogram())).toBe(0);
  });

  it('merges exactly', () => {
    const merged = mergeLatencyHistograms(histogramOf(latencies.slice(0, 20_000), 50), histogramOf(latencies.slice(20_000), 50));
    expect({ ...merged, sum: 0 }).toEqual({ ...histogramOf(latencies, 50), sum: 0 });
    expect(merged.sum).toBeCloseTo(histogram.sum, 6);
    expect(mergeLatencyHistograms(createLatencyHistogram(), histogram)).toEqual(histogram);
  });

  it('gives Prometheus cumulative buckets, under-counting by at most the straddling bucket', () => {
    const prometheus = prometheusBuckets(histogram, [1, 0.1, 0.025, 0.005]);
    expect(prometheus.buckets.map((b) => b.le)).toEqual([0.005, 0.025, 0.1, 1, '+Inf']);
    for (const { le, count } of prometheus.buckets) {
      if (le === '+Inf') {
        expect(count).toBe(50_000);
        continue;
      }
      const exact = sorted.filter((ms) => ms <= le * 1000).length;
      const lowerBound = sorted.filter((ms) => ms < (le * 1000) / 1.05).length;
      expect(count).toBeLessThanOrEqual(exact);
      expect(count).toBeGreaterThanOrEqual(lowerBound);
    }
    expect(prometheus.sum).toBeCloseTo(histogram.sum / 1000, 9);
  });

  it('is small, fixed-size JSON that validates', () => {
    const json = JSON.stringify(histogram);
    expect(json.length).toBeLessThan(2048);
    expect(LatencyHistogramSchema.parse(JSON.parse(json))).toEqual(histogram);
    expect(() => LatencyHistogramSchema.parse({ ...histogram, buckets: [1] })).toThrow();
  });

  it('rejects impossible latencies', () => {
    expect(() => recordRequest(createLatencyHistogram(), -1)).toThrow(RangeError);
    expect(() => recordRequest(createLatencyHistogram(), Number.NaN)).toThrow(RangeError);
  });
});
