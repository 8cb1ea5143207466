/**
 * Benjamini–Hochberg adjusted p-values (q-values), in the input order: comparing them with α
 * controls the false discovery rate at α across all the tests of one drift evaluation.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((i, j) => pValues[i] - pValues[j]);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const i = order[rank - 1];
    // p · (m / rank) rather than p · m / rank: the factor is ≥ 1, so rounding never lowers p.
    running = Math.min(running, pValues[i] * (m / rank));
    adjusted[i] = running;
  }
  return adjusted;
}
