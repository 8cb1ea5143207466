import { mean, standardDeviation } from 'simple-statistics';
import { z } from 'zod';
import { countSchema } from './count-schema.ts';
import { InvalidBaselineError } from './invalid-baseline-error.ts';
import { BinDetailSchema, binIndex, emptyBinDetail, fitsLayout, recordInBin } from './statistics/binned-distribution.ts';

/**
 * A numerical column of the reference: the frozen bin layout (see `BinLayout`) with the
 * reference's own counts over it, plus its moments. Edges and cumulative counts are the compact
 * sorted summary of the baseline: they give its empirical CDF exactly at every edge, and the
 * detail its ties and the mean of each bin.
 */
export const NumericalReferenceSchema = z
  .object({
    name: z.string().min(1),
    kind: z.literal('numerical'),
    /** Valid values in the baseline (excludes missing and type errors). */
    count: countSchema.min(1),
    missing: countSchema,
    typeErrors: countSchema,
    mean: z.number(),
    /** Population standard deviation; the unit drift distances are expressed in. */
    std: z.number().min(0),
    min: z.number(),
    max: z.number(),
    discrete: z.boolean(),
    edges: z.array(z.number()).min(1),
    counts: z.array(countSchema),
    /** Absent in profiles built before it existed; their drift is then computed as it was. */
    detail: BinDetailSchema.optional(),
  })
  .refine((r) => r.counts.length === r.edges.length + 2, { message: 'counts must have edges.length + 2 entries' })
  .refine((r) => r.detail === undefined || fitsLayout(r.detail, r.edges), { message: 'detail does not fit the edges' })
  .refine((r) => r.edges.every((e, i) => i === 0 || e > r.edges[i - 1]), { message: 'edges must increase strictly' });
export type NumericalReference = z.infer<typeof NumericalReferenceSchema>;

export interface NumericalBaseline {
  readonly name: string;
  /** Valid values, in any order; sorted in place. */
  readonly values: number[];
  readonly missing: number;
  readonly typeErrors: number;
}

function distinctSorted(sorted: readonly number[]): number[] {
  return sorted.filter((x, i) => i === 0 || x !== sorted[i - 1]);
}

/**
 * Cuts the sorted baseline into bins from its minimum, greedily: a bin ends at the last distinct
 * value before it would hold `maxInside` values strictly inside it, or before its width times
 * its share of the baseline would exceed `spread`. A bin between two consecutive distinct values
 * cannot be cut and is kept whatever its spread. Edges are baseline values, so ties sit on edges.
 */
function greedyEdges(sorted: readonly number[], maxInside: number, spread: number): number[] {
  const n = sorted.length;
  const edges = [sorted[0]];
  let left = sorted[0];
  let inside = 0; // values in (left, the last value looked at]
  let i = 0;
  while (i < n && sorted[i] === left) i++;
  while (i < n) {
    const value = sorted[i];
    let ties = 0;
    while (i + ties < n && sorted[i + ties] === value) ties++;
    const previous = sorted[i - 1];
    if (previous !== left && (inside >= maxInside || ((value - left) * (inside + ties)) / n > spread)) {
      edges.push(previous);
      left = previous;
      inside = 0;
    }
    inside += ties;
    i += ties;
  }
  if (edges[edges.length - 1] !== sorted[n - 1]) edges.push(sorted[n - 1]);
  return edges;
}

/**
 * The edges of a continuous reference, at most `maxEdges` of them. Fewer than n/quantileBins
 * values lie strictly inside any bin (bins close at ⌈n/quantileBins⌉ values inside), so the
 * reference's CDF rises by less than 1/quantileBins inside a bin: the KS bound. The edges left
 * over go where a bin is wide for the mass it holds — the tails, above all heavy ones — by
 * lowering the spread limit (width × share of the baseline) as far as the budget allows: the
 * Wasserstein bound adds up width × mass over the bins where the CDFs may cross.
 */
function referenceEdges(sorted: readonly number[], quantileBins: number, maxEdges: number): number[] {
  const maxInside = Math.ceil(sorted.length / quantileBins);
  let coarse = greedyEdges(sorted, maxInside, Number.POSITIVE_INFINITY);
  let [low, high] = [0, sorted[sorted.length - 1] - sorted[0]];
  // Bisect the spread limit on a log scale: the smallest whose edges fit the budget.
  for (let step = 0; step < 48 && high > 0; step++) {
    const middle = low > 0 ? Math.sqrt(low * high) : high / 1024;
    const edges = greedyEdges(sorted, maxInside, middle);
    if (edges.length <= maxEdges) {
      coarse = edges;
      high = middle;
    } else low = middle;
  }
  return coarse;
}

/**
 * Splits the widest bins into equal parts, adding at most `spare` edges: the smallest width cap
 * that the spare edges can reach (found by bisection). The new edges hold no baseline value, so
 * the reference's CDF stays exact; they bound how far apart window values inside one bin can be,
 * where a sparse tail leaves wide gaps between baseline values.
 */
function splitWidestBins(edges: readonly number[], spare: number): number[] {
  const widths = edges.slice(1).map((e, i) => e - edges[i]);
  const added = (cap: number) => widths.reduce((sum, w) => sum + Math.ceil(w / cap) - 1, 0);
  let [low, high] = [0, Math.max(0, ...widths)];
  if (spare <= 0 || high === 0) return [...edges];
  for (let step = 0; step < 60; step++) {
    const middle = (low + high) / 2;
    if (added(middle) <= spare) high = middle;
    else low = middle;
  }
  const split = [edges[0]];
  widths.forEach((w, i) => {
    const parts = Math.ceil(w / high);
    for (let k = 1; k < parts; k++) {
      const edge = edges[i] + (k * w) / parts;
      if (edge > split[split.length - 1] && edge < edges[i + 1]) split.push(edge);
    }
    split.push(edges[i + 1]);
  });
  return split;
}

/**
 * Freezes at most 2 · `quantileBins` bin edges from the baseline: its distinct values when there
 * are at most 1.5 · `quantileBins` of them (the binning is then exact: a discrete layout),
 * otherwise {@link referenceEdges} within 1.5 · `quantileBins`; the rest of the budget then
 * {@link splitWidestBins}. Records where each value lies inside its bin (see `BinDetail`).
 */
export function buildNumericalReference(baseline: NumericalBaseline, quantileBins: number): NumericalReference {
  const sorted = baseline.values.sort((a, b) => a - b);
  if (sorted.length === 0) throw new InvalidBaselineError(`column "${baseline.name}" has no numeric values in the baseline`);
  const maxEdges = 2 * quantileBins;
  const distinct = distinctSorted(sorted);
  const discrete = distinct.length <= Math.ceil(0.75 * maxEdges);
  // A quarter of the budget at least goes to splitting wide bins.
  const valueEdges = discrete ? distinct : referenceEdges(sorted, quantileBins, Math.ceil(0.75 * maxEdges));
  // A few distinct values are codes or small counts: windows land on them, not in their gaps.
  const fewValues = distinct.length <= quantileBins / 4;
  const edges = fewValues ? valueEdges : splitWidestBins(valueEdges, maxEdges - valueEdges.length);
  const counts = new Array<number>(edges.length + 2).fill(0);
  const detail = emptyBinDetail(edges);
  for (const x of sorted) {
    const bin = binIndex(edges, x);
    counts[bin]++;
    recordInBin(detail, edges, bin, x);
  }
  return {
    name: baseline.name,
    kind: 'numerical',
    count: sorted.length,
    missing: baseline.missing,
    typeErrors: baseline.typeErrors,
    mean: mean(sorted),
    std: standardDeviation(sorted),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    discrete,
    edges,
    counts,
    detail,
  };
}
