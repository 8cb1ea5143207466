import { latencyQuantile, type LatencyHistogram } from '../serving-health/latency-histogram.ts';
import type { VariantHealth } from './decision.ts';

/**
 * A variant's health for `decideGuardrail` from its merged latency histogram: requests, errors,
 * and — when `latencySamples` > 0 — latencies as a stratified sample of the histogram (its
 * quantiles at evenly spaced ranks, each within the histogram's relative error), at most
 * `latencySamples` of them.
 */
export function healthFromHistogram(histogram: LatencyHistogram, latencySamples = 0): VariantHealth {
  const n = Math.min(histogram.count, latencySamples);
  if (n === 0) return { count: histogram.count, errors: histogram.errors };
  const latencies = Array.from({ length: n }, (_, i) => latencyQuantile(histogram, (i + 0.5) / n)!);
  return { count: histogram.count, errors: histogram.errors, latencies };
}
