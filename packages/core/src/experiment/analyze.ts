import type { Interval } from './interval.ts';
import { compareMeans, estimateMean, type Moments } from './means.ts';
import { compareProportions, estimateProportion, type BinaryCounts } from './proportions.ts';
import { armFromCounts, armFromMoments, sequentialTest, type SequentialResult } from './sequential.ts';
import { sampleRatioMismatch, type SampleRatioMismatch } from './srm.ts';

interface VariantBase {
  readonly name: string;
  /** Configured weight (percent) over the analyzed window; used for the SRM check. */
  readonly weight: number;
  /**
   * The split's independent draws that landed here — requests, or units on a sticky split — which
   * the SRM check counts; `count` when left out. Counting rows instead would make a request of
   * 100 rows 100 draws, inflating χ² a hundredfold.
   */
  readonly assignments?: number;
  /** This variant's always-valid p-value from the previous analysis; omitted at the first. */
  readonly previousSequentialPValue?: number;
}

export interface BinaryVariantData extends VariantBase, BinaryCounts {}
export interface ContinuousVariantData extends VariantBase, Moments {}

interface ExperimentBase {
  /** Name of the control variant. */
  readonly control: string;
  /** Significance level; confidence intervals are at 1 − alpha. Default 0.05. */
  readonly alpha?: number;
}

export type ExperimentData =
  | (ExperimentBase & { readonly kind: 'binary'; readonly variants: readonly BinaryVariantData[] })
  | (ExperimentBase & { readonly kind: 'continuous'; readonly variants: readonly ContinuousVariantData[] });

export interface Comparison {
  /** Variant minus control, in the metric's units. */
  readonly difference: number;
  /** Difference relative to control; null when the control's rate or mean is 0. */
  readonly lift: number | null;
  /** Fixed-horizon two-sided p-value (z-test or Welch): valid only if looked at once. */
  readonly pValue: number;
  readonly significant: boolean;
  /** Always-valid two-sided p-value (mSPRT): valid however often results are checked. */
  readonly sequentialPValue: number;
  readonly sequentiallySignificant: boolean;
}

interface VariantSummary {
  readonly name: string;
  readonly weight: number;
  readonly count: number;
  /** Binary: successes. Continuous: the sum of the outcome (e.g. total revenue). */
  readonly outcomes: number;
  readonly ci: Interval | null;
  /** Against the control; null for the control itself. */
  readonly comparison: Comparison | null;
}

export type VariantAnalysis = (VariantSummary & { readonly rate: number | null }) | (VariantSummary & { readonly mean: number | null });

export interface ExperimentAnalysis {
  readonly kind: ExperimentData['kind'];
  readonly control: string;
  readonly alpha: number;
  readonly variants: readonly VariantAnalysis[];
  readonly srm: SampleRatioMismatch;
}

/** Per-variant estimates, each variant against the control, and the sample-ratio check. */
export function analyzeExperiment(data: ExperimentData): ExperimentAnalysis {
  const alpha = data.alpha ?? 0.05;
  return {
    kind: data.kind,
    control: data.control,
    alpha,
    variants: analyzeVariants(data, alpha),
    srm: sampleRatioMismatch(data.variants.map((v) => ({ count: v.assignments ?? v.count, weight: v.weight }))),
  };
}

function analyzeVariants(data: ExperimentData, alpha: number): VariantAnalysis[] {
  if (data.kind === 'binary') {
    const control = findControl(data.variants, data.control);
    return data.variants.map((v) => analyzeBinary(v, control, alpha));
  }
  const control = findControl(data.variants, data.control);
  return data.variants.map((v) => analyzeContinuous(v, control, alpha));
}

function analyzeBinary(variant: BinaryVariantData, control: BinaryVariantData, alpha: number): VariantAnalysis {
  const { rate, ci } = estimateProportion(variant, 1 - alpha);
  const comparison =
    variant === control
      ? null
      : comparisonOf(
          compareProportions(control, variant),
          sequentialTest(armFromCounts(control), armFromCounts(variant), {
            previousPValue: variant.previousSequentialPValue,
          }),
          alpha,
        );
  return { ...identity(variant), outcomes: variant.successes, rate, ci, comparison };
}

function analyzeContinuous(variant: ContinuousVariantData, control: ContinuousVariantData, alpha: number): VariantAnalysis {
  const { mean, ci } = estimateMean(variant, 1 - alpha);
  const comparison =
    variant === control
      ? null
      : comparisonOf(
          compareMeans(control, variant),
          sequentialTest(armFromMoments(control), armFromMoments(variant), {
            previousPValue: variant.previousSequentialPValue,
          }),
          alpha,
        );
  return { ...identity(variant), outcomes: variant.sum, mean, ci, comparison };
}

function comparisonOf(fixed: { readonly difference: number; readonly lift: number | null; readonly pValue: number }, sequential: SequentialResult, alpha: number): Comparison {
  return {
    difference: fixed.difference,
    lift: fixed.lift,
    pValue: fixed.pValue,
    significant: fixed.pValue < alpha,
    sequentialPValue: sequential.pValue,
    sequentiallySignificant: sequential.pValue < alpha,
  };
}

function identity(variant: VariantBase & { readonly count: number }) {
  return { name: variant.name, weight: variant.weight, count: variant.count };
}

function findControl<V extends VariantBase>(variants: readonly V[], name: string): V {
  const control = variants.find((v) => v.name === name);
  if (!control) throw new RangeError(`control variant "${name}" is not among the variants`);
  return control;
}
