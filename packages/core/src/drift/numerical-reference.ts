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
  /** Valid values, in any order. */
  readonly values: number[];
  readonly missing: number;
  readonly typeErrors: number;
}

/** The baseline's distinct values and how often each occurs. */
interface DistinctValues {
  readonly values: readonly number[];
  readonly ties: readonly number[];
  readonly total: number;
}

function distinctValues(sorted: Float64Array): DistinctValues {
  const values: number[] = [];
  const ties: number[] = [];
  for (const x of sorted) {
    if (values.length > 0 && values[values.length - 1] === x) ties[ties.length - 1]++;
    else {
      values.push(x);
      ties.push(1);
    }
  }
  return { values, ties, total: sorted.length };
}

/**
 * Cuts the baseline into bins from its minimum, greedily: a bin ends at the last distinct value
 * before it would hold `maxInside` values strictly inside it, or before its width times its share
 * of the baseline would exceed `spread`. A bin between two consecutive distinct values cannot be
 * cut and is kept whatever its spread. Edges are baseline values, so ties sit on edges.
 */
function greedyEdges({ values, ties, total }: DistinctValues, maxInside: number, spread: number): number[] {
  const edges = [values[0]];
  let left = values[0];
  let inside = 0; // values in (left, values[i − 1]]
  for (let i = 1; i < values.length; i++) {
    const previous = values[i - 1];
    if (previous !== left && (inside >= maxInside || ((values[i] - left) * (inside + ties[i])) / total > spread)) {
      edges.push(previous);
      left = previous;
      inside = 0;
    }
    inside += ties[i];
  }
  if (values.length > 1) edges.push(values[values.length - 1]);
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
function referenceEdges(distinct: DistinctValues, quantileBins: number, maxEdges: number): number[] {
  const maxInside = Math.ceil(distinct.total / quantileBins);
  let fitting = greedyEdges(distinct, maxInside, Number.POSITIVE_INFINITY);
  // Bisect the spread limit on a log scale between 2⁻⁴⁰ and 1 of the range × the whole mass.
  const range = distinct.values[distinct.values.length - 1] - distinct.values[0];
  let [low, high] = [-40, 0];
  for (let step = 0; step < 24; step++) {
    const middle = (low + high) / 2;
    const edges = greedyEdges(distinct, maxInside, range * 2 ** middle);
    if (edges.length <= maxEdges) {
      fitting = edges;
      high = middle;
    } else low = middle;
  }
  return fitting;
}

/**
 * Splits the widest bins into equal parts, adding at most `spare` edges: the smallest width cap
 * that the spare edges can reach (found by bisection), but no smaller than the narrowest bin.
 * The new edges hold no baseline value, so the reference's CDF stays exact; they bound how far
 * apart window values inside one bin can be, where a sparse tail leaves wide gaps between
 * baseline values.
 */
function splitWidestBins(edges: readonly number[], spare: number): number[] {
  // Half widths: a width between ±1.7e308 would overflow.
  const widths = edges.slice(1).map((e, i) => e / 2 - edges[i] / 2);
  const added = (cap: number) => widths.reduce((sum, w) => sum + Math.ceil(w / cap) - 1, 0);
  if (spare <= 0 || widths.length === 0) return [...edges];
  // No finer than the closest two baseline values: integer data is then split at integers.
  let [low, high] = [Math.min(...widths), Math.max(...widths)];
  if (added(low) <= spare) high = low;
  for (let step = 0; step < 60 && high > low; step++) {
    const middle = (low + high) / 2;
    if (added(middle) <= spare) high = middle;
    else low = middle;
  }
  const split = [edges[0]];
  widths.forEach((w, i) => {
    const parts = Math.ceil(w / high);
    for (let k = 1; k < parts; k++) {
      const t = k / parts;
      const edge = edges[i] * (1 - t) + edges[i + 1] * t;
      if (edge > split[split.length - 1] && edge < edges[i + 1]) split.push(edge);
    }
    split.push(edges[i + 1]);
  });
  return split;
}

/** Edges per numerical column: 1.5 per quantile bin (384 by default). */
const EDGES_PER_QUANTILE_BIN = 1.5;
/** Of those, at most this share are baseline values; the rest split wide gaps. */
const VALUE_EDGE_SHARE = 0.75;

/**
 * Freezes at most 1.5 · `quantileBins` bin edges from the baseline: its distinct values when
 * there are at most 3/4 of that many (the binning is then exact: a discrete layout), otherwise
 * {@link referenceEdges} within that share; the rest of the budget then
 * {@link splitWidestBins}. Records where each value lies inside its bin (see `BinDetail`).
 */
export function buildNumericalReference(baseline: NumericalBaseline, quantileBins: number): NumericalReference {
  // A typed array sorts numerically, several times faster than a comparator.
  const sorted = Float64Array.from(baseline.values).sort();
  if (sorted.length === 0) throw new InvalidBaselineError(`column "${baseline.name}" has no numeric values in the baseline`);
  const maxEdges = Math.ceil(EDGES_PER_QUANTILE_BIN * quantileBins);
  const maxValueEdges = Math.ceil(VALUE_EDGE_SHARE * maxEdges);
  const distinct = distinctValues(sorted);
  const discrete = distinct.values.length <= maxValueEdges;
  const valueEdges = discrete ? [...distinct.values] : referenceEdges(distinct, quantileBins, maxValueEdges);
  const edges = splitWidestBins(valueEdges, maxEdges - valueEdges.length);
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
    mean: mean(baseline.values),
    std: standardDeviation(baseline.values),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    discrete,
    edges,
    counts,
    detail,
  };
}
