import { chiSquareSf } from '../statistics/distributions.ts';

/** The conventional threshold: SRM checks run continuously, so only strong evidence flags. */
export const SRM_THRESHOLD = 0.001;

export interface GoodnessOfFit {
  readonly chiSquare: number;
  readonly df: number;
  readonly pValue: number;
}

export interface SampleRatioMismatch extends GoodnessOfFit {
  readonly mismatch: boolean;
}

/**
 * Pearson's chi-square test of observed counts against expected shares (any positive scale).
 * A category expected to be empty but observed is conclusive: χ² = ∞, p = 0.
 */
export function chiSquareGoodnessOfFit(observed: readonly number[], expectedShares: readonly number[]): GoodnessOfFit {
  const total = observed.reduce((sum, o) => sum + o, 0);
  const shareTotal = expectedShares.reduce((sum, s) => sum + s, 0);
  const df = Math.max(0, expectedShares.filter((share) => share > 0).length - 1);
  if (total === 0) return { chiSquare: 0, df, pValue: 1 };
  let chiSquare = 0;
  for (const [i, o] of observed.entries()) {
    const expected = (total * expectedShares[i]) / shareTotal;
    if (expected > 0) chiSquare += (o - expected) ** 2 / expected;
    else if (o > 0) return { chiSquare: Infinity, df, pValue: 0 };
  }
  return { chiSquare, df, pValue: df > 0 ? chiSquareSf(chiSquare, df) : 1 };
}

/**
 * Sample-ratio mismatch: do the variants' counts fit their configured weights? A mismatch means
 * assignment or logging is broken, and the experiment's comparisons cannot be trusted.
 */
export function sampleRatioMismatch(variants: readonly { readonly count: number; readonly weight: number }[], threshold = SRM_THRESHOLD): SampleRatioMismatch {
  const fit = chiSquareGoodnessOfFit(
    variants.map((v) => v.count),
    variants.map((v) => v.weight),
  );
  return { ...fit, mismatch: fit.pValue < threshold };
}
