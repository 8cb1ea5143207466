/**
 * Exact two-sample statistics on raw samples, the ground truth the binned statistics are tested
 * against. Both arguments must be sorted ascending.
 */

/** sup |F − G| of the two empirical CDFs. */
export function exactKs(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  let j = 0;
  let statistic = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i], b[j]);
    while (i < a.length && a[i] <= x) i++;
    while (j < b.length && b[j] <= x) j++;
    statistic = Math.max(statistic, Math.abs(i / a.length - j / b.length));
  }
  return statistic;
}

/** ∫ |F − G| dx of the two empirical CDFs (Wasserstein-1). */
export function exactWasserstein(a: readonly number[], b: readonly number[]): number {
  const points = [...a, ...b].sort((x, y) => x - y);
  let i = 0;
  let j = 0;
  let distance = 0;
  for (let k = 0; k + 1 < points.length; k++) {
    const x = points[k];
    while (i < a.length && a[i] <= x) i++;
    while (j < b.length && b[j] <= x) j++;
    distance += Math.abs(i / a.length - j / b.length) * (points[k + 1] - x);
  }
  return distance;
}

export const sortedCopy = (values: readonly number[]) => [...values].sort((x, y) => x - y);
