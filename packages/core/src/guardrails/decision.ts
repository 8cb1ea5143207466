import { quantile } from 'simple-statistics';
import type { GuardrailMetric, Guardrails, VariantWeight } from '../routing/index.ts';
import { meanOf, type Moments } from '../experiment/means.ts';
import { alwaysValidPValue, armFromCounts, armFromMoments, DEFAULT_EFFECT_SIZE, mixtureLikelihoodRatio, sequentialTest, type SequentialOptions } from '../experiment/sequential.ts';

/** What the monitor knows about one variant since the current step began. */
export interface VariantHealth {
  /** Requests served. */
  readonly count: number;
  /** Failed requests (metric `error_rate`). */
  readonly errors?: number;
  /** A uniform sample of request latencies, e.g. a reservoir (metric `latency_p95`). */
  readonly latencies?: readonly number[];
  /** Aggregated business outcome, higher is better; binary outcomes as 0/1 (metric `outcome`). */
  readonly outcome?: Moments;
}

export interface GuardrailInput {
  readonly guardrails: Guardrails;
  readonly control: string;
  readonly candidate: string;
  /** The endpoint's current weights. */
  readonly weights: readonly VariantWeight[];
  readonly health: { readonly control: VariantHealth; readonly candidate: VariantHealth };
  /** `numbers.sequentialPValue` of the previous decision in this step; omitted at its first. */
  readonly previousSequentialPValue?: number;
}

/** The facts behind a decision, kept in the decision record. */
export interface GuardrailNumbers {
  readonly metric: GuardrailMetric;
  /** Error rate, p95 latency or mean outcome. */
  readonly controlValue: number | null;
  readonly candidateValue: number | null;
  /** Observations behind each value: requests, latency samples or outcomes. */
  readonly controlSamples: number;
  readonly candidateSamples: number;
  /** How much worse the candidate is, in the units of `maxDegradation`; negative when better. */
  readonly degradation: number | null;
  readonly maxDegradation: number;
  /** One-sided always-valid p-value of H₀: degradation ≤ maxDegradation. */
  readonly sequentialPValue: number;
  readonly alpha: number;
  readonly minSamples: number;
  readonly candidateWeight: number;
}

export type GuardrailVerdict = 'degraded' | 'healthy' | 'inconclusive' | 'collecting' | 'not-running';

export interface GuardrailDecision {
  readonly action: 'rollback' | 'promote' | 'hold';
  /** Why, from the evidence alone: `degraded` with action `hold` means autoRollback is off. */
  readonly verdict: GuardrailVerdict;
  readonly reason: string;
  readonly numbers: GuardrailNumbers;
  /** The weights to apply for `rollback` and `promote`. */
  readonly nextWeights?: VariantWeight[];
}

/** The p that defines the latency metric. */
const P95 = 0.95;

/**
 * Decides a canary's next move. Rollback needs significant evidence, by the one-sided mSPRT, that
 * the candidate is worse than control by more than `maxDegradation` — so checking after every
 * batch does not raise the false-rollback rate above alpha. Promotion needs `minSamples` on both
 * sides and an observed degradation within `maxDegradation`; anything else holds and keeps
 * collecting.
 */
export function decideGuardrail(input: GuardrailInput): GuardrailDecision {
  const { guardrails } = input;
  const numbers: GuardrailNumbers = {
    metric: guardrails.metric,
    ...measure(input),
    maxDegradation: guardrails.maxDegradation,
    alpha: guardrails.alpha,
    minSamples: guardrails.minSamples,
    candidateWeight: weightOf(input.weights, input.candidate),
  };
  const { verdict, reason, proposal } = judge(input, numbers);
  if (!proposal) return { action: 'hold', verdict, reason, numbers };
  const [action, automatic, flag] =
    verdict === 'degraded' ? (['rollback', guardrails.autoRollback, 'autoRollback'] as const) : (['promote', guardrails.autoPromote, 'autoPromote'] as const);
  return automatic ? { action, verdict, reason, numbers, nextWeights: proposal } : { action: 'hold', verdict, reason: `${reason}; ${flag} is off`, numbers };
}

interface Judgement {
  readonly verdict: GuardrailVerdict;
  readonly reason: string;
  /** The weights a rollback or promotion would set. */
  readonly proposal?: VariantWeight[];
}

function judge({ guardrails, weights, control, candidate }: GuardrailInput, numbers: GuardrailNumbers): Judgement {
  const { metric, maxDegradation, sequentialPValue, candidateWeight } = numbers;
  const controlWeight = weightOf(weights, control);
  if (candidateWeight === 0 || controlWeight === 0) {
    return { verdict: 'not-running', reason: 'no canary to judge: candidate or control receives no traffic' };
  }
  const degradation = format(numbers.degradation);
  if (sequentialPValue <= guardrails.alpha) {
    return {
      verdict: 'degraded',
      reason: `${metric} degraded by ${degradation}, more than ${maxDegradation} (sequential p = ${format(sequentialPValue)})`,
      proposal: shift(weights, candidate, control, candidateWeight),
    };
  }
  const samples = Math.min(numbers.controlSamples, numbers.candidateSamples);
  if (samples < guardrails.minSamples) {
    return { verdict: 'collecting', reason: `collecting samples: ${samples} of ${guardrails.minSamples} per variant` };
  }
  if (numbers.degradation === null || numbers.degradation > maxDegradation) {
    return {
      verdict: 'inconclusive',
      reason: `${metric} degraded by ${degradation}, more than ${maxDegradation} but not yet significantly`,
    };
  }
  const target = nextStep(guardrails.steps, candidateWeight);
  return {
    verdict: 'healthy',
    reason: `${metric} within ${maxDegradation} of control over at least ${samples} samples per variant; next step ${target}%`,
    proposal: shift(weights, control, candidate, Math.min(target - candidateWeight, controlWeight)),
  };
}

type Evidence = Pick<GuardrailNumbers, 'controlValue' | 'candidateValue' | 'controlSamples' | 'candidateSamples' | 'degradation' | 'sequentialPValue'>;

function measure(input: GuardrailInput): Evidence {
  switch (input.guardrails.metric) {
    case 'error_rate':
      return measureErrorRate(input);
    case 'latency_p95':
      return measureLatency(input);
    case 'outcome':
      return measureOutcome(input);
  }
}

/** Absolute: degradation is the candidate's error rate minus control's. */
function measureErrorRate({ health, guardrails, previousSequentialPValue }: GuardrailInput): Evidence {
  const control = armFromCounts({ count: health.control.count, successes: health.control.errors ?? 0 });
  const candidate = armFromCounts({ count: health.candidate.count, successes: health.candidate.errors ?? 0 });
  const test = sequentialTest(control, candidate, {
    alternative: 'greater',
    nullDifference: guardrails.maxDegradation,
    previousPValue: previousSequentialPValue,
  });
  const observed = control.count > 0 && candidate.count > 0;
  return {
    controlValue: control.count > 0 ? control.mean : null,
    candidateValue: candidate.count > 0 ? candidate.mean : null,
    controlSamples: control.count,
    candidateSamples: candidate.count,
    degradation: observed ? test.difference : null,
    sequentialPValue: test.pValue,
  };
}

/** Relative: degradation is how much lower the candidate's mean outcome is, as a fraction of control's. */
function measureOutcome({ health, guardrails, previousSequentialPValue }: GuardrailInput): Evidence {
  const empty = { count: 0, sum: 0, sumSquares: 0 };
  const control = health.control.outcome ?? empty;
  const candidate = health.candidate.outcome ?? empty;
  const controlMean = meanOf(control);
  const options: SequentialOptions = {
    alternative: 'less',
    nullDifference: -guardrails.maxDegradation * Math.abs(controlMean),
    previousPValue: previousSequentialPValue,
  };
  const test = sequentialTest(armFromMoments(control), armFromMoments(candidate), options);
  const observed = control.count > 0 && candidate.count > 0 && controlMean !== 0;
  return {
    controlValue: control.count > 0 ? controlMean : null,
    candidateValue: candidate.count > 0 ? meanOf(candidate) : null,
    controlSamples: control.count,
    candidateSamples: candidate.count,
    degradation: observed ? -test.difference / Math.abs(controlMean) : null,
    sequentialPValue: test.pValue,
  };
}

/**
 * Relative: degradation is the candidate's p95 over control's, minus 1. Quantiles have no
 * sufficient statistics to test directly, so the test is on exceedances: if the candidate's p95
 * is within the bound T = (1 + maxDegradation) · control p95, at most 5% of its requests exceed T.
 * The one-sided mSPRT tests that exceedance rate against 5%, taking control's p95 as known (its
 * sample, at control's larger share of traffic, is usually the bigger one).
 */
function measureLatency({ health, guardrails, previousSequentialPValue }: GuardrailInput): Evidence {
  const control = health.control.latencies ?? [];
  const candidate = health.candidate.latencies ?? [];
  const samples = { controlSamples: control.length, candidateSamples: candidate.length };
  if (control.length === 0 || candidate.length === 0) {
    return {
      ...samples,
      controlValue: control.length > 0 ? p95Of(control) : null,
      candidateValue: candidate.length > 0 ? p95Of(candidate) : null,
      degradation: null,
      sequentialPValue: previousSequentialPValue ?? 1,
    };
  }
  const controlP95 = p95Of(control);
  const candidateP95 = p95Of(candidate);
  const bound = (1 + guardrails.maxDegradation) * controlP95;
  const exceedance = candidate.filter((latency) => latency > bound).length / candidate.length;
  const nullVariance = P95 * (1 - P95);
  const likelihoodRatio = mixtureLikelihoodRatio({
    estimate: exceedance,
    variance: nullVariance / candidate.length,
    nullValue: 1 - P95,
    mixingVariance: DEFAULT_EFFECT_SIZE ** 2 * nullVariance,
    alternative: 'greater',
  });
  return {
    ...samples,
    controlValue: controlP95,
    candidateValue: candidateP95,
    degradation: controlP95 > 0 ? candidateP95 / controlP95 - 1 : null,
    sequentialPValue: alwaysValidPValue(likelihoodRatio, previousSequentialPValue),
  };
}

function p95Of(sample: readonly number[]): number {
  return quantile([...sample], P95);
}

/** The first ramp step above the current weight; past the last step, 100. */
function nextStep(steps: readonly number[], current: number): number {
  return steps.find((step) => step > current) ?? 100;
}

/** Moves `amount` percentage points of weight from one variant to another. */
function shift(weights: readonly VariantWeight[], from: string, to: string, amount: number): VariantWeight[] {
  return weights.map(({ name, weight }) => ({
    name,
    weight: name === from ? roundPercent(weight - amount) : name === to ? roundPercent(weight + amount) : weight,
  }));
}

function weightOf(weights: readonly VariantWeight[], name: string): number {
  const entry = weights.find((w) => w.name === name);
  if (!entry) throw new RangeError(`variant "${name}" is not among the weights`);
  return entry.weight;
}

// Weights have basis-point resolution; this keeps 33.33 − 23.33 from becoming 9.999999999999996.
function roundPercent(weight: number): number {
  return Math.round(weight * 100) / 100;
}

function format(value: number | null): string {
  return value === null ? 'n/a' : Number(value.toPrecision(3)).toString();
}
