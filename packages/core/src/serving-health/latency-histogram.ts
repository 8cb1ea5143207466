import { z } from 'zod';
import { countSchema } from '../drift/count-schema.ts';

/** Lower bound of the first log bucket; faster requests share the underflow bucket. */
const LOWEST_MS = 0.05;
/** Each bucket is 5 % wider than the one before. */
const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);
/** Log buckets between 0.05 ms and 60 s; slower requests share the overflow bucket. */
const LOG_BUCKETS = Math.ceil(Math.log(60_000 / LOWEST_MS) / LOG_GROWTH);
/**
 * Within a log bucket [lo, lo·γ) the estimate 2·lo·γ/(1 + γ) is off by at most (γ − 1)/(γ + 1)
 * of the true value: ≈ 2.44 % for γ = 1.05.
 */
export const LATENCY_RELATIVE_ERROR = (GROWTH - 1) / (GROWTH + 1);

/**
 * Request count, errors and a latency histogram for one window of one endpoint variant.
 * `buckets` is dense: [underflow (< 0.05 ms), log buckets…, overflow (≥ 60 s)]; the layout is
 * fixed, so any two histograms merge by adding counts, and the JSON stays ~1 KB however many
 * requests it counts.
 */
export const LatencyHistogramSchema = z
  .object({
    histogramVersion: z.literal(1),
    count: countSchema,
    errors: countSchema,
    /** Σ latency in ms (Prometheus `_sum`). */
    sum: z.number().min(0),
    min: z.number().min(0).nullable(),
    max: z.number().min(0).nullable(),
    buckets: z.array(countSchema).length(LOG_BUCKETS + 2),
  })
  .refine((h) => h.errors <= h.count, { message: 'errors cannot exceed count' });
export type LatencyHistogram = z.infer<typeof LatencyHistogramSchema>;

export function createLatencyHistogram(): LatencyHistogram {
  return { histogramVersion: 1, count: 0, errors: 0, sum: 0, min: null, max: null, buckets: new Array<number>(LOG_BUCKETS + 2).fill(0) };
}

function bucketOf(ms: number): number {
  if (ms < LOWEST_MS) return 0;
  return Math.min(LOG_BUCKETS + 1, 1 + Math.floor(Math.log(ms / LOWEST_MS) / LOG_GROWTH));
}

/** Lower bound (ms) of log bucket `index` (1-based; index LOG_BUCKETS + 1 is the overflow's). */
function bucketLowerBound(index: number): number {
  return LOWEST_MS * GROWTH ** (index - 1);
}

/** Counts one request, in place. */
export function recordRequest(histogram: LatencyHistogram, latencyMs: number, failed = false): void {
  if (!(latencyMs >= 0) || latencyMs === Infinity) throw new RangeError(`latency must be a finite number ≥ 0 (got ${latencyMs})`);
  histogram.count++;
  if (failed) histogram.errors++;
  histogram.sum += latencyMs;
  if (histogram.min === null || latencyMs < histogram.min) histogram.min = latencyMs;
  if (histogram.max === null || latencyMs > histogram.max) histogram.max = latencyMs;
  histogram.buckets[bucketOf(latencyMs)]++;
}

export function mergeLatencyHistograms(a: LatencyHistogram, b: LatencyHistogram): LatencyHistogram {
  const pick = (f: (x: number, y: number) => number, x: number | null, y: number | null) => (x === null ? y : y === null ? x : f(x, y));
  return {
    histogramVersion: 1,
    count: a.count + b.count,
    errors: a.errors + b.errors,
    sum: a.sum + b.sum,
    min: pick(Math.min, a.min, b.min),
    max: pick(Math.max, a.max, b.max),
    buckets: a.buckets.map((c, i) => c + b.buckets[i]),
  };
}

/**
 * The p-quantile (0 ≤ p ≤ 1, nearest rank) of the latencies in ms, within
 * {@link LATENCY_RELATIVE_ERROR} for values between 0.05 ms and 60 s (outside that range the
 * observed min or max is returned). Null when the histogram is empty.
 */
export function latencyQuantile(histogram: LatencyHistogram, p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile must be in [0, 1] (got ${p})`);
  const { count, min, max, buckets } = histogram;
  if (count === 0 || min === null || max === null) return null;
  const rank = Math.max(1, Math.ceil(p * count));
  let cumulative = 0;
  let index = 0;
  while (cumulative + buckets[index] < rank) cumulative += buckets[index++];
  if (index === 0) return min;
  if (index === buckets.length - 1) return max;
  const estimate = (2 * bucketLowerBound(index) * GROWTH) / (1 + GROWTH);
  return Math.min(max, Math.max(min, estimate));
}

export function errorRate(histogram: LatencyHistogram): number {
  return histogram.count === 0 ? 0 : histogram.errors / histogram.count;
}

export interface PrometheusHistogram {
  /** Cumulative counts per upper bound in seconds, ending with `+Inf`. */
  readonly buckets: { le: number | '+Inf'; count: number }[];
  readonly count: number;
  /** Seconds. */
  readonly sum: number;
}

/**
 * The histogram in Prometheus' shape for the given `le` bounds (seconds). A bucket is counted
 * under `le` when its whole range lies below it, so counts are exact at the log-bucket bounds
 * and otherwise under-count by at most the one bucket straddling `le` (≤ 5 % of its value).
 */
export function prometheusBuckets(histogram: LatencyHistogram, upperBoundsSeconds: readonly number[]): PrometheusHistogram {
  const bounds = [...upperBoundsSeconds].sort((a, b) => a - b);
  const buckets = bounds.map((le) => {
    const leMs = le * 1000;
    let count = 0;
    // Underflow lies wholly below LOWEST_MS; log bucket i ends where bucket i + 1 begins.
    if (leMs >= LOWEST_MS) count += histogram.buckets[0];
    for (let i = 1; i <= LOG_BUCKETS && bucketLowerBound(i + 1) <= leMs * (1 + 1e-12); i++) count += histogram.buckets[i];
    return { le, count };
  });
  return { buckets: [...buckets, { le: '+Inf', count: histogram.count }], count: histogram.count, sum: histogram.sum / 1000 };
}
