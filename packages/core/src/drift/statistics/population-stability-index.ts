/**
 * Added to every bin proportion before taking logs, so an empty bin (a value range the window
 * never reached, or the reference's empty under/overflow bins) contributes a large but finite
 * term instead of an infinite one.
 */
export const PSI_EPSILON = 1e-4;

/**
 * Population stability index Σ (q − p) · ln((q + ε) / (p + ε)) over aligned bins, p the reference
 * proportions and q the window's. Each term is ≥ 0, so no renormalisation is needed after
 * smoothing.
 */
export function populationStabilityIndex(reference: readonly number[], window: readonly number[]): number {
  const referenceTotal = reference.reduce((s, c) => s + c, 0);
  const windowTotal = window.reduce((s, c) => s + c, 0);
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = reference[i] / referenceTotal;
    const q = window[i] / windowTotal;
    psi += (q - p) * Math.log((q + PSI_EPSILON) / (p + PSI_EPSILON));
  }
  return psi;
}

/**
 * Which group each fine reference bin falls in when they are merged into about `groups` groups of
 * equal reference mass, the first and last bins (underflow and overflow) kept apart as groups 0
 * and `count − 1`. The usual PSI thresholds (0.1 / 0.2) are calibrated on about ten bins; over a
 * hundred, sampling noise alone adds ≈ (bins − 1)·(1/n + 1/m) and small windows would look unstable.
 */
export function referenceMassGroups(reference: readonly number[], groups = 10): { groupOf: number[]; count: number } {
  const last = reference.length - 1;
  const interiorTotal = reference.slice(1, last).reduce((s, c) => s + c, 0);
  const groupShare = interiorTotal / groups;
  const groupOf = new Array<number>(reference.length);
  groupOf[0] = 0;
  let group = 1;
  let cumulative = 0;
  let boundary = groupShare;
  for (let i = 1; i < last; i++) {
    groupOf[i] = group;
    cumulative += reference[i];
    if (cumulative >= boundary && i < last - 1) {
      group++;
      while (boundary <= cumulative) boundary += groupShare;
    }
  }
  groupOf[last] = group + 1;
  return { groupOf, count: group + 2 };
}

/** The reference's and the window's fine bin counts summed over {@link referenceMassGroups}. */
export function regroupByReferenceMass(reference: readonly number[], window: readonly number[], groups = 10): { reference: number[]; window: number[] } {
  const { groupOf, count } = referenceMassGroups(reference, groups);
  const merged = { reference: new Array<number>(count).fill(0), window: new Array<number>(count).fill(0) };
  for (let i = 0; i < reference.length; i++) {
    merged.reference[groupOf[i]] += reference[i];
    merged.window[groupOf[i]] += window[i];
  }
  return merged;
}
