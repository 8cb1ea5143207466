/** The bucket space: one bucket is one basis point (0.01%) of traffic. */
export const BUCKETS = 10_000;

/**
 * Converts decimal percentage weights to integer basis points that sum to exactly {@link BUCKETS},
 * by the largest-remainder method. Weights are scaled by their total, so 33.33/33.33/33.34 and
 * weights whose float sum is 99.99999999 both come out exact. Ties in the remainder go to the
 * earlier weight, which keeps the result a deterministic function of the input order.
 */
export function toBasisPoints(weights: readonly number[]): number[] {
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (!(total > 0) || weights.some((w) => !(w >= 0) || !Number.isFinite(w))) {
    throw new RangeError('weights must be finite, non-negative and not all zero');
  }
  const exact = weights.map((w) => snapToInteger((w * BUCKETS) / total));
  const points = exact.map(Math.floor);
  let missing = BUCKETS - points.reduce((sum, p) => sum + p, 0);
  const byRemainder = exact.map((value, index) => ({ index, remainder: value - Math.floor(value) })).sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of byRemainder) {
    if (missing === 0) break;
    points[index] += 1;
    missing -= 1;
  }
  return points;
}

// 33.33 * 100 is 3332.9999999999995 in binary floating point; without snapping, float noise
// rather than the weights would decide who receives the leftover basis points.
function snapToInteger(value: number): number {
  const nearest = Math.round(value);
  return Math.abs(value - nearest) < 1e-6 ? nearest : value;
}
