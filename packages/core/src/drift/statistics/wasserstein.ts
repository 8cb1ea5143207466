import type { BinLayout, BinnedSample } from './binned-distribution.ts';

/**
 * A CDF that is linear between knots; repeated x values encode a jump (a point mass).
 * 0 before the first knot, 1 after the last.
 */
interface PiecewiseLinearCdf {
  readonly xs: number[];
  readonly ys: number[];
}

/**
 * The sample's CDF as the binning knows it: exact at the edges, linear inside continuous bins
 * (mass spread evenly), a jump on the right edge for discrete bins and for the minimum's bin.
 * Underflow and overflow mass is spread evenly over a range twice its mean distance from the
 * edge, which keeps its mean: against a sample with no mass there (the reference, whose range
 * the edges span) ∫ |F − G| over the tail is then exact, whatever the tail's shape.
 */
function binnedCdf(layout: BinLayout, sample: BinnedSample): PiecewiseLinearCdf {
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
    if (discrete) knot(edges[j], cumulative);
    cumulative += counts[j + 1];
    knot(edges[j], cumulative);
  }
  const overflow = counts[last + 2];
  if (overflow > 0) knot(edges[last] + (2 * sample.overflowDistance) / overflow, cumulative + overflow);
  return { xs, ys };
}

/** The CDF's values at both ends of [u, v], an interval holding no knot in its interior. */
function valuesOn(cdf: PiecewiseLinearCdf, u: number, v: number): [number, number] {
  const { xs, ys } = cdf;
  // Last knot at or before u (the right limit of any jump at u).
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] <= u) lo = mid + 1;
    else hi = mid;
  }
  const i = lo - 1;
  if (i < 0) return [0, 0];
  if (i === xs.length - 1) return [ys[i], ys[i]];
  const slope = (ys[i + 1] - ys[i]) / (xs[i + 1] - xs[i]);
  return [ys[i] + slope * (u - xs[i]), ys[i] + slope * (v - xs[i])];
}

/** ∫ |d| over an interval of width w where d moves linearly from d0 to d1. */
function integralOfAbsoluteLinear(d0: number, d1: number, w: number): number {
  if (d0 * d1 >= 0) return ((Math.abs(d0) + Math.abs(d1)) / 2) * w;
  return ((d0 * d0 + d1 * d1) / (2 * (Math.abs(d0) + Math.abs(d1)))) * w;
}

/**
 * Wasserstein-1 (earth mover's) distance ∫ |F − G| dx between two samples binned over the same
 * layout, in the feature's own units. Both CDFs are interpolated inside bins the same way, so
 * two samples of one distribution agree to sampling noise; the integral of the two piecewise
 * linear CDFs is then computed exactly, including where they cross.
 */
export function wassersteinFromBins(layout: BinLayout, a: BinnedSample, b: BinnedSample): number {
  const f = binnedCdf(layout, a);
  const g = binnedCdf(layout, b);
  const breakpoints = [...new Set([...f.xs, ...g.xs])].sort((x, y) => x - y);
  let distance = 0;
  for (let k = 0; k + 1 < breakpoints.length; k++) {
    const u = breakpoints[k];
    const v = breakpoints[k + 1];
    const [f0, f1] = valuesOn(f, u, v);
    const [g0, g1] = valuesOn(g, u, v);
    distance += integralOfAbsoluteLinear(f0 - g0, f1 - g1, v - u);
  }
  return distance;
}
