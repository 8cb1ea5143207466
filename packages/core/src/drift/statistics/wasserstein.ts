import { OFFSET_RESOLUTION, cdfAtEdges, type BinDetail, type BinLayout, type BinnedSample } from './binned-distribution.ts';

/**
 * A CDF that is linear between knots; repeated x values encode a jump (a point mass).
 * 0 before the first knot, 1 after the last.
 */
interface PiecewiseLinearCdf {
  readonly xs: number[];
  readonly ys: number[];
}

/**
 * The sample's CDF as the binning knows it: exact at the edges. With `detail`, an interior bin
 * (a, b] holds its ties as a jump at b, a lone value inside as a jump where it is, and two or more
 * uniform over the part of the bin that keeps their mean μ: [a, 2μ − a] when μ is in the lower
 * half, [2μ − b, b] otherwise. Without it (states stored before it existed) mass is spread over
 * the whole bin, or put on the right edge for a discrete layout. Underflow and overflow mass is
 * spread evenly over a range twice its mean distance from the edge, which likewise keeps its mean.
 *
 * Keeping the mean keeps ∫ F over the bin (∫ₐᵇ F = F(a)·(b − a) + Σ (b − x)/n), so where F − G
 * keeps its sign over a bin, ∫ |F − G| over it is right too (to the offset rounding); see
 * {@link wassersteinErrorBound} for the bins where it may not.
 */
function binnedCdf(layout: BinLayout, sample: BinnedSample, detail: BinDetail | undefined): PiecewiseLinearCdf {
  const { edges, discrete } = layout;
  const { counts, total } = sample;
  const last = edges.length - 1;
  const xs: number[] = [];
  const ys: number[] = [];
  const knot = (x: number, cumulative: number) => {
    xs.push(x);
    ys.push(cumulative / total);
  };
  let cumulative = 0;
  if (counts[0] > 0) {
    knot(edges[0] - (2 * sample.underflowDistance) / counts[0], 0);
    cumulative += counts[0];
  }
  knot(edges[0], cumulative);
  cumulative += counts[1];
  knot(edges[0], cumulative);
  for (let j = 1; j <= last; j++) {
    const [a, b] = [edges[j - 1], edges[j]];
    const count = counts[j + 1];
    if (detail) {
      const inside = count - detail.edgeCounts[j];
      if (inside > 0) {
        const width = b - a;
        const meanOffset = Math.min(1, detail.offsetSums[j + 1] / (inside * OFFSET_RESOLUTION)) * width;
        if (inside === 1) {
          // A lone value's offset is its position.
          knot(a + meanOffset, cumulative);
          knot(a + meanOffset, cumulative + 1);
        } else if (2 * meanOffset <= width) knot(a + 2 * meanOffset, cumulative + inside);
        else knot(b - 2 * (width - meanOffset), cumulative);
      }
      // The ties on b are a jump there.
      knot(b, cumulative + inside);
    } else if (discrete) knot(b, cumulative);
    cumulative += count;
    knot(b, cumulative);
  }
  const overflow = counts[last + 2];
  if (overflow > 0) knot(edges[last] + (2 * sample.overflowDistance) / overflow, cumulative + overflow);
  return { xs, ys };
}

/**
 * The CDF at `x`, from knot `i`, the last knot at or before x (its right limit at a jump), when no
 * knot lies strictly between x and knot i + 1.
 */
function valueAt(cdf: PiecewiseLinearCdf, i: number, x: number): number {
  const { xs, ys } = cdf;
  if (i < 0) return 0;
  if (i === xs.length - 1) return ys[i];
  return ys[i] + ((ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i])) * (x - xs[i]);
}

/** ∫ |d| over an interval of width w where d moves linearly from d0 to d1. */
function integralOfAbsoluteLinear(d0: number, d1: number, w: number): number {
  if (d0 * d1 >= 0) return ((Math.abs(d0) + Math.abs(d1)) / 2) * w;
  return ((d0 * d0 + d1 * d1) / (2 * (Math.abs(d0) + Math.abs(d1)))) * w;
}

/**
 * Bin detail is used only when both samples have it, so two samples of one distribution are
 * interpolated alike.
 */
function sharedDetail(a: BinnedSample, b: BinnedSample): [BinDetail | undefined, BinDetail | undefined] {
  return a.detail && b.detail ? [a.detail, b.detail] : [undefined, undefined];
}

/**
 * Wasserstein-1 (earth mover's) distance ∫ |F − G| dx between two samples binned over the same
 * layout, in the feature's own units. Both CDFs are interpolated inside bins the same way (see
 * `binnedCdf`), so two samples of one distribution agree to sampling noise; the integral of the
 * two piecewise linear CDFs is then computed exactly, including where they cross, in one pass.
 */
export function wassersteinFromBins(layout: BinLayout, a: BinnedSample, b: BinnedSample): number {
  const [detailA, detailB] = sharedDetail(a, b);
  const f = binnedCdf(layout, a, detailA);
  const g = binnedCdf(layout, b, detailB);
  // Sweep the knots of both in order: between two consecutive ones both CDFs are linear.
  let [i, j] = [-1, -1];
  let u = Math.min(f.xs[0], g.xs[0]);
  let distance = 0;
  for (;;) {
    while (i + 1 < f.xs.length && f.xs[i + 1] <= u) i++;
    while (j + 1 < g.xs.length && g.xs[j + 1] <= u) j++;
    const v = Math.min(i + 1 < f.xs.length ? f.xs[i + 1] : Infinity, j + 1 < g.xs.length ? g.xs[j + 1] : Infinity);
    // Past the last knot of both, both CDFs are 1.
    if (v === Infinity) break;
    const d0 = valueAt(f, i, u) - valueAt(g, j, u);
    const d1 = valueAt(f, i, v) - valueAt(g, j, v);
    distance += integralOfAbsoluteLinear(d0, d1, v - u);
    u = v;
  }
  return distance;
}

/**
 * A bound on |{@link wassersteinFromBins} − W₁ of the raw samples|, from the two binned samples
 * alone (both with detail; without it no bound holds and the result is Infinity).
 *
 * Take an interior bin (a, b) of width w without its right edge, where the true CDFs rise by ΔF,
 * ΔG (the values strictly inside) and D = F − G. D is known at a and just left of b (the ties on
 * b are counted apart), and inside D(a) − ΔG ≤ D(x) ≤ D(a) + ΔF, D(b−) − ΔF ≤ D(x) ≤ D(b−) + ΔG.
 * When those bounds hold D to one sign, ∫ |D| over the bin is |∫ D|, which the offset sums give
 * to within w·(ΔF + ΔG)/(2·OFFSET_RESOLUTION) (each value's offset is rounded by at most half a
 * unit) — and the interpolated CDFs obey the same bounds, so they give the same |∫ D|.
 * Otherwise the true and interpolated F both lie in [F(a), F(b−)], so they differ by at most ΔF
 * everywhere in the bin (G likewise), and ||D| − |D̂|| integrates to at most w·(ΔF + ΔG) — or
 * w·ΔF/(2·OFFSET_RESOLUTION) for a sample with at most one value inside, whose step is known.
 * Under- and overflow: where one sample has no mass, D keeps its sign and the mean distance makes
 * the tail exact; otherwise the tail adds at most ∫ (F + F̂ + G + Ĝ) over it.
 */
export function wassersteinErrorBound(layout: BinLayout, a: BinnedSample, b: BinnedSample): number {
  if (!a.detail || !b.detail) return Number.POSITIVE_INFINITY;
  const { edges } = layout;
  const f = cdfAtEdges(a);
  const g = cdfAtEdges(b);
  const last = edges.length - 1;
  let bound = 0;
  const tail = (countA: number, countB: number, distanceA: number, distanceB: number) => (countA > 0 && countB > 0 ? 2 * (distanceA / a.total + distanceB / b.total) : 0);
  bound += tail(a.counts[0], b.counts[0], a.underflowDistance, b.underflowDistance);
  bound += tail(a.counts[last + 2], b.counts[last + 2], a.overflowDistance, b.overflowDistance);
  for (let j = 1; j <= last; j++) {
    // cdfAtEdges index j is F(e[j − 1]) and j + 1 is F(e[j]).
    const [tiesF, tiesG] = [a.detail.edgeCounts[j] / a.total, b.detail.edgeCounts[j] / b.total];
    const [riseF, riseG] = [f[j + 1] - f[j] - tiesF, g[j + 1] - g[j] - tiesG];
    const atLeft = f[j] - g[j];
    const beforeRight = f[j + 1] - tiesF - (g[j + 1] - tiesG);
    const nonNegative = Math.max(atLeft - riseG, beforeRight - riseF) >= 0;
    const nonPositive = Math.min(atLeft + riseF, beforeRight + riseG) <= 0;
    const width = edges[j] - edges[j - 1];
    const rounding = (width * (riseF + riseG)) / (2 * OFFSET_RESOLUTION);
    const unknown = (rise: number, sample: BinnedSample, detail: BinDetail) => (sample.counts[j + 1] - detail.edgeCounts[j] > 1 ? rise : 0);
    bound += nonNegative || nonPositive ? rounding : rounding + width * (unknown(riseF, a, a.detail) + unknown(riseG, b, b.detail));
  }
  return bound;
}
