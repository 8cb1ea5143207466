/**
 * The bin layout a reference profile freezes and every window sketch reuses.
 *
 * `edges` e[0] < e[1] < … < e[E−1] come from the reference (e[0] is its minimum, e[E−1] its
 * maximum) and define E + 2 bins:
 *
 *   bin 0        x < e[0]                 underflow: below the reference range
 *   bin 1        x = e[0]                 the reference minimum and its ties
 *   bin j + 1    e[j−1] < x ≤ e[j]        for j = 1 … E−1
 *   bin E + 1    x > e[E−1]               overflow: above the reference range
 *
 * Bins are right-closed so cumulative counts give the empirical CDF exactly at every edge, and
 * ties (discrete or zero-inflated features) stay on the edge that holds them instead of being
 * split across bins. Everything computed from bins is therefore exact at the edges; between edges
 * only the bin's mass is known, which is what bounds the binning error of each statistic.
 */
export interface BinLayout {
  readonly edges: readonly number[];
  /**
   * True when the edges are the reference's distinct values: each interior bin then holds a
   * point mass on its right edge rather than mass spread across the bin.
   */
  readonly discrete: boolean;
}

/** Counts of one sample over a {@link BinLayout}. */
export interface BinnedSample {
  /** `edges.length + 2` counts, in bin order. */
  readonly counts: readonly number[];
  readonly total: number;
  /** Σ (e[0] − x) over the underflow values: how far below the edges that mass lies. */
  readonly underflowDistance: number;
  /** Σ (x − e[E−1]) over the overflow values. */
  readonly overflowDistance: number;
}

/** The bin of `x` (a finite number) under `edges`, by binary search; see {@link BinLayout}. */
export function binIndex(edges: readonly number[], x: number): number {
  const last = edges.length - 1;
  if (x < edges[0]) return 0;
  if (x > edges[last]) return last + 2;
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

/**
 * The sample's empirical CDF at the points where bins meet: F(e[0]−), F(e[0]), …, F(e[E−1]).
 * Exact, because bins are right-closed.
 */
export function cdfAtEdges(sample: BinnedSample): Float64Array {
  const { counts, total } = sample;
  const cdf = new Float64Array(counts.length - 1);
  let cumulative = 0;
  for (let i = 0; i < cdf.length; i++) {
    cumulative += counts[i];
    cdf[i] = cumulative / total;
  }
  return cdf;
}
