/** Σ p·log2(p/m) with 0·log 0 = 0. */
function klToMixture(p: readonly number[], m: readonly number[]): number {
  let divergence = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) divergence += p[i] * Math.log2(p[i] / m[i]);
  return divergence;
}

function proportions(counts: readonly number[]): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  return counts.map((c) => c / total);
}

/**
 * Jensen–Shannon distance (the square root of the divergence, base 2, so it lies in [0, 1])
 * between two count vectors over the same categories. No smoothing is needed: the mixture is
 * positive wherever either distribution is.
 */
export function jensenShannonDistance(a: readonly number[], b: readonly number[]): number {
  const p = proportions(a);
  const q = proportions(b);
  const m = p.map((pi, i) => (pi + q[i]) / 2);
  const divergence = 0.5 * klToMixture(p, m) + 0.5 * klToMixture(q, m);
  return Math.sqrt(Math.max(0, divergence));
}
