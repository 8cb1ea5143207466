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

/** ∫ |F − G| dx of the two empirical CDFs (Wasserstein-1), walking both samples' values in order. */
export function exactWasserstein(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  let j = 0;
  let distance = 0;
  let x = Math.min(a[0], b[0]);
  for (;;) {
    while (i < a.length && a[i] <= x) i++;
    while (j < b.length && b[j] <= x) j++;
    const next = Math.min(i < a.length ? a[i] : Infinity, j < b.length ? b[j] : Infinity);
    if (next === Infinity) return distance;
    distance += Math.abs(i / a.length - j / b.length) * (next - x);
    x = next;
  }
}

export const sortedCopy = (values: readonly number[]): number[] => Array.from(Float64Array.from(values).sort());
