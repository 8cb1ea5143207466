import { z } from 'zod';
import { countSchema } from '../count-schema.ts';

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
 * the bin's mass is known and, with its {@link BinDetail}, its ties and its mean: that is what
 * bounds the binning error of each statistic.
 */
export interface BinLayout {
  readonly edges: readonly number[];
  /**
   * True when every distinct value of the reference is an edge: the reference then has no mass
   * strictly inside any bin. Samples without {@link BinDetail} (stored before it) are then read
   * as point masses on right edges; with it, ties and offsets say where the mass is.
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
  /** Where values lie inside the bins; absent in states stored before it existed. */
  readonly detail?: BinDetail;
}

/**
 * Where a sample's values lie inside the bins, beyond their counts: how many sit exactly on each
 * edge (ties, point masses), and for the rest of each interior bin — the values strictly inside
 * it — their summed offset above the bin's left edge, in 1/{@link OFFSET_RESOLUTION} of the
 * bin's width. With it, each interior bin's CDF is known at both ends, just left of its right
 * edge, and in its mean (to half an offset unit per value). Integers, so merging is exact.
 */
export const BinDetailSchema = z.object({
  /** `edges.length` counts: values equal to e[j] (edgeCounts[0] is bin 1's count). */
  edgeCounts: z.array(countSchema),
  /** Aligned with the bins; nonzero only for interior bins j + 1 (j = 1 … E−1). */
  offsetSums: z.array(countSchema),
});
export type BinDetail = z.infer<typeof BinDetailSchema>;

/** Whether `detail` has the shape of `edges`' layout. */
export function fitsLayout(detail: BinDetail, edges: readonly number[]): boolean {
  return detail.edgeCounts.length === edges.length && detail.offsetSums.length === edges.length + 2;
}

/**
 * Offset units per bin width: a lone value's position inside its bin is kept to 1/512 of the bin
 * (the Wasserstein bound counts that rounding), sums stay exact integers up to 2⁵³ (3 · 10¹³
 * values in one bin), and an offset takes few digits in the stored JSON.
 */
export const OFFSET_RESOLUTION = 256;

export function emptyBinDetail(edges: readonly number[]): BinDetail {
  return { edgeCounts: new Array<number>(edges.length).fill(0), offsetSums: new Array<number>(edges.length + 2).fill(0) };
}

/** Records `x`, which fell in `bin`, in the detail (in place): on its edge, or offset inside it. */
export function recordInBin(detail: BinDetail, edges: readonly number[], bin: number, x: number): void {
  if (bin < 1 || bin > edges.length) return;
  const right = edges[bin - 1];
  if (x === right) detail.edgeCounts[bin - 1]++;
  else {
    // Halves, so that a bin spanning ±1.7e308 does not overflow.
    const left = edges[bin - 2] / 2;
    detail.offsetSums[bin] += Math.round(((x / 2 - left) / (right / 2 - left)) * OFFSET_RESOLUTION);
  }
}

/** Element-wise sum of two arrays of one length (a loop: merging 720 windows sums a lot of them). */
export function sumCounts(a: readonly number[], b: readonly number[]): number[] {
  // A copy keeps the array's packed element kind, which adds faster than a fresh holey array.
  const sum = a.slice();
  for (let i = 0; i < sum.length; i++) sum[i] += b[i];
  return sum;
}

export function mergeBinDetails(a: BinDetail | undefined, b: BinDetail | undefined): BinDetail | undefined {
  // Only both together describe the merged bins.
  if (!a || !b) return undefined;
  return { edgeCounts: sumCounts(a.edgeCounts, b.edgeCounts), offsetSums: sumCounts(a.offsetSums, b.offsetSums) };
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
