import { mean, quantileSorted, standardDeviation } from 'simple-statistics';
import { z } from 'zod';
import { countSchema } from './count-schema.ts';
import { InvalidBaselineError } from './invalid-baseline-error.ts';
import { binIndex } from './statistics/binned-distribution.ts';

/**
 * A numerical column of the reference: the frozen bin layout (see `BinLayout`) with the
 * reference's own counts over it, plus its moments. Edges and cumulative counts are the compact
 * sorted summary of the baseline: they give its empirical CDF exactly at every edge.
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
  })
  .refine((r) => r.counts.length === r.edges.length + 2, { message: 'counts must have edges.length + 2 entries' })
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
 * Extra cut points inside the outermost quantile bins. Those bins span the tails, where the
 * density changes fastest (for a normal, 2.3 to 3.7 sd); splitting them keeps the linear
 * interpolation inside bins, and so the Wasserstein distance, accurate when a window moves mass
 * into a tail.
 */
const TAIL_PROBABILITIES = [0.001, 0.002, 0.005];

/** 0, 1/quantileBins, …, 1, plus the tail cut points finer than one quantile bin. */
function edgeProbabilities(quantileBins: number): number[] {
  const uniform = Array.from({ length: quantileBins + 1 }, (_, j) => j / quantileBins);
  const tails = TAIL_PROBABILITIES.filter((p) => p < 1 / quantileBins).flatMap((p) => [p, 1 - p]);
  return [...uniform, ...tails].sort((a, b) => a - b);
}

/**
 * Freezes the bin edges from the baseline: its distinct values when there are at most
 * `quantileBins + 1` of them (the binning is then exact: a discrete layout), otherwise its
 * quantiles at {@link edgeProbabilities} with repeated values merged — so no bin of a continuous
 * reference holds more than about 1/quantileBins of its mass, which is what bounds the binning
 * error of KS.
 */
export function buildNumericalReference(baseline: NumericalBaseline, quantileBins: number): NumericalReference {
  const sorted = baseline.values.sort((a, b) => a - b);
  if (sorted.length === 0) throw new InvalidBaselineError(`column "${baseline.name}" has no numeric values in the baseline`);
  const distinct = distinctSorted(sorted);
  const discrete = distinct.length <= quantileBins + 1;
  const edges = discrete ? distinct : distinctSorted(edgeProbabilities(quantileBins).map((p) => quantileSorted(sorted, p)));
  const counts = new Array<number>(edges.length + 2).fill(0);
  for (const x of sorted) counts[binIndex(edges, x)]++;
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
  };
}
