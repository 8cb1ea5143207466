import { analyzeExperiment, type Comparison } from '../experiment/analyze.ts';
import type { Interval } from '../experiment/interval.ts';
import type { SampleRatioMismatch } from '../experiment/srm.ts';
import type { EndpointRecord } from '../registry/endpoint.ts';
import type { EndpointConfig, VariantSpec } from '../routing/endpoint-config.ts';
import { EMPTY_TALLY, addTallies, type ExperimentTally, type VariantTally } from './tally.ts';

/**
 * An experiment runs while an endpoint's variants stay as they are: the same names, models and
 * weights. A change of weights (a ramp, a guardrail's promotion or rollback) starts the next
 * one, since counts under different splits do not compare; other changes (logging, retraining
 * policy, a guardrail's hold) leave it running.
 */
export function sameExperiment(a: EndpointConfig, b: EndpointConfig): boolean {
  const shape = (config: EndpointConfig) => JSON.stringify(config.variants.map(({ name, model, version, alias, weight }) => [name, model, version ?? null, alias ?? null, weight]));
  return shape(a) === shape(b);
}

export interface ExperimentSpan {
  /** The first config version of the experiment, and the last (the newest one in it). */
  readonly first: EndpointRecord;
  readonly last: EndpointRecord;
}

/**
 * The config versions of the experiment that `configVersion` belongs to (by default the current
 * one), from a stretch of history ordered newest first without gaps; undefined when the stretch
 * does not hold that version.
 */
export function experimentSpan(history: readonly EndpointRecord[], configVersion?: number): ExperimentSpan | undefined {
  const at = configVersion === undefined ? 0 : history.findIndex((record) => record.configVersion === configVersion);
  if (at < 0 || at >= history.length) return undefined;
  let newest = at;
  while (newest > 0 && sameExperiment(history[newest - 1].config, history[at].config)) newest--;
  let oldest = at;
  while (oldest + 1 < history.length && sameExperiment(history[oldest + 1].config, history[at].config)) oldest++;
  return { first: history[oldest], last: history[newest] };
}

export type VariantQuality = {
  /** Classified rows with a label joined, and the share the model got right. */
  readonly labelled?: number;
  readonly accuracy?: number;
  /** Regression rows with a true value joined, and the model's errors on them. */
  readonly valued?: number;
  readonly rmse?: number;
  readonly mae?: number;
};

export interface ExperimentVariant {
  readonly name: string;
  readonly model: string;
  readonly version?: number;
  readonly alias?: string;
  readonly weight: number;
  /** Predictions served (logged rows): the denominator. A prediction without an outcome counts 0. */
  readonly count: number;
  /** The split's draws: units on a sticky endpoint (and requests that named none), else requests. */
  readonly assigned: number;
  /** Binary: conversions. Continuous: the sum of the outcomes. */
  readonly outcomes: number;
  /** Predictions with an outcome joined. */
  readonly feedback: number;
  readonly rate?: number | null;
  readonly mean?: number | null;
  readonly ci: Interval | null;
  /** Against the control; null for the control itself. */
  readonly comparison: Comparison | null;
  /** Model quality from labels; null when none joined. */
  readonly quality: VariantQuality | null;
}

export interface ExperimentSummary {
  readonly kind: 'binary' | 'continuous';
  readonly control: string;
  readonly alpha: number;
  readonly variants: ExperimentVariant[];
  /** Observed shares of `assigned` against the configured weights. */
  readonly srm: SampleRatioMismatch;
}

/**
 * The experiment's analysis from its tallies (any number per variant, e.g. one per config
 * version, summed): per variant the outcome rate (binary: every outcome true/false or 0/1) or
 * mean, each against the control (the variant named `control`, else the first), sample-ratio
 * mismatch over the split's draws (units on a sticky endpoint, else requests — not rows), and
 * model quality where labels joined.
 */
export function summarizeExperiment(config: EndpointConfig, tallies: readonly VariantTally[], options: { alpha?: number } = {}): ExperimentSummary {
  const totals = new Map<string, ExperimentTally>(config.variants.map((v) => [v.name, EMPTY_TALLY]));
  for (const { variant, tally } of tallies) {
    const total = totals.get(variant);
    if (total) totals.set(variant, addTallies(total, tally));
  }
  const control = config.variants.find((v) => v.name === 'control')?.name ?? config.variants[0].name;
  const binary = [...totals.values()].every((t) => t.nonBinaryOutcomes === 0);
  const base = config.variants.map((v) => {
    const t = totals.get(v.name)!;
    // Served is written before its rows can join, so it is never behind; the max only guards that.
    const assignments = config.sticky ? t.units + t.unitlessRequests : t.requests;
    return { spec: v, tally: t, name: v.name, weight: v.weight, count: Math.max(t.served, t.outcomes), assignments };
  });
  const analysis = binary
    ? analyzeExperiment({
        kind: 'binary',
        control,
        alpha: options.alpha,
        variants: base.map((b) => ({ name: b.name, weight: b.weight, count: b.count, assignments: b.assignments, successes: b.tally.outcomeSum })),
      })
    : analyzeExperiment({
        kind: 'continuous',
        control,
        alpha: options.alpha,
        variants: base.map((b) => ({ name: b.name, weight: b.weight, count: b.count, assignments: b.assignments, sum: b.tally.outcomeSum, sumSquares: b.tally.outcomeSumSquares })),
      });
  return {
    kind: analysis.kind,
    control,
    alpha: analysis.alpha,
    srm: analysis.srm,
    variants: analysis.variants.map((result, i) => ({
      ...target(base[i].spec),
      weight: result.weight,
      count: result.count,
      assigned: base[i].assignments,
      outcomes: result.outcomes,
      feedback: base[i].tally.outcomes,
      ...('rate' in result ? { rate: result.rate } : { mean: result.mean }),
      ci: result.ci,
      comparison: result.comparison,
      quality: quality(base[i].tally),
    })),
  };
}

function target(spec: VariantSpec) {
  return { name: spec.name, model: spec.model, ...(spec.version !== undefined ? { version: spec.version } : { alias: spec.alias }) };
}

function quality(t: ExperimentTally): VariantQuality | null {
  if (t.labelled === 0 && t.valued === 0) return null;
  return {
    ...(t.labelled > 0 ? { labelled: t.labelled, accuracy: t.correct / t.labelled } : {}),
    ...(t.valued > 0 ? { valued: t.valued, rmse: Math.sqrt(t.squaredError / t.valued), mae: t.absoluteError / t.valued } : {}),
  };
}
