import type { PredictionLogRecord } from '../logs/record.ts';
import { classProbabilities } from '../performance/class-scores.ts';
import type { Task } from '../registry/metadata.ts';
import type { LabelValue, OutcomeValue } from './feedback.ts';
import type { TallyDelta } from './tally.ts';

/**
 * Feedback and predictions meet by (endpoint, row id), whichever comes first: each side is kept
 * until the other arrives, and the join adds each of its facets to the variant's tally once.
 */

/** What the join keeps of a logged prediction row. */
export interface PredictionSide {
  readonly variant: string;
  readonly model: string;
  readonly version: number;
  readonly configVersion: number;
  /** When the prediction was made. */
  readonly time: string;
  /** The class or value the model predicted, when its version names a task; what labels are scored against. */
  readonly predicted?: LabelValue;
  readonly task?: Task['type'];
  /** A classifier's class probabilities and its classes, when it gives them: what per-window AUC and class positions are read from. */
  readonly scores?: readonly number[];
  readonly classes?: readonly LabelValue[];
}

/** Feedback as kept for a row: the latest given fields, and which facets the experiment has counted. */
export interface FeedbackSide {
  readonly label?: LabelValue;
  readonly value?: number;
  readonly outcome?: OutcomeValue;
  readonly outcomeJoined?: boolean;
  readonly qualityJoined?: boolean;
}

/**
 * The parts of a join counted separately, each once: the outcome (for the experiment) and the
 * label or value (model quality). A row's outcome and label may arrive in different feedback.
 */
export type JoinFacet = 'outcome' | 'quality';

/** The rows an experiment counts: served without failing by the variant the split chose (not forced, pinned or a shadow). */
export function isExperimentRecord(record: PredictionLogRecord): boolean {
  return record.status === 'ok' && record.shadowOf === undefined && record.chosen === undefined;
}

export function predictionSideOf(record: PredictionLogRecord, task: Task | undefined): PredictionSide {
  const predicted = task ? predictedValue(task, record.outputs) : undefined;
  const scores = task && predicted !== undefined ? classProbabilities(task, record.outputs) : undefined;
  return {
    variant: record.variant,
    model: record.model,
    version: record.version,
    configVersion: record.configVersion,
    time: record.time,
    ...(predicted !== undefined ? { predicted, task: task!.type } : {}),
    ...(scores ? { scores } : {}),
    ...(predicted !== undefined && task!.classes ? { classes: task!.classes } : {}),
  };
}

/**
 * The prediction in a row's outputs, read through the version's task: a regression's value; a
 * classifier's class, from a label output as is (an index into string classes mapped to its
 * class) or from probabilities by argmax (one probability: the positive class at ≥ 0.5).
 */
export function predictedValue(task: Task, outputs: Readonly<Record<string, unknown>> | undefined): LabelValue | undefined {
  const raw = outputs?.[task.output];
  if (raw === undefined || raw === null) return undefined;
  const leaves = Array.isArray(raw) ? raw.flat(Infinity) : [raw];
  if (task.type === 'regression') return typeof leaves[0] === 'number' && Number.isFinite(leaves[0]) ? leaves[0] : undefined;
  const classes = task.classes ?? [];
  if (leaves.length > 1) {
    if (!leaves.every((p) => typeof p === 'number')) return undefined;
    const scores = leaves as number[];
    const best = scores.reduce((top, p, i) => (p > scores[top] ? i : top), 0);
    return classes[best] ?? best;
  }
  const single = leaves[0];
  if (typeof single === 'string' || typeof single === 'boolean') return single;
  if (typeof single !== 'number' || !Number.isFinite(single)) return undefined;
  if (!Number.isInteger(single)) {
    // A lone fractional score is the positive class's probability.
    if (task.type !== 'binary-classification' || single < 0 || single > 1) return undefined;
    const index = single >= 0.5 ? 1 : 0;
    return classes[index] ?? index;
  }
  if (classes.some((c) => String(c) === String(single))) return single;
  return classes[single] ?? single;
}

/** Labels compare as text, booleans as 1/0 (so `true`, `1` and `"1"` agree), as the trainer reads them. */
export function sameLabel(a: LabelValue, b: LabelValue): boolean {
  const text = (v: LabelValue) => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  return text(a) === text(b);
}

/** The facets a join of these two sides would count now. */
export function pendingFacets(feedback: FeedbackSide, prediction: PredictionSide): JoinFacet[] {
  const facets: JoinFacet[] = [];
  if (feedback.outcome !== undefined && !feedback.outcomeJoined) facets.push('outcome');
  if (!feedback.qualityJoined && qualityDelta(feedback, prediction)) facets.push('quality');
  return facets;
}

/** What one facet of a join adds to the serving variant's tally. */
export function facetDelta(facet: JoinFacet, feedback: FeedbackSide, prediction: PredictionSide): TallyDelta {
  if (facet === 'outcome') {
    const outcome = Number(feedback.outcome);
    return {
      outcomes: 1,
      outcomeSum: outcome,
      outcomeSumSquares: outcome * outcome,
      nonBinaryOutcomes: outcome === 0 || outcome === 1 ? 0 : 1,
    };
  }
  return qualityDelta(feedback, prediction) ?? {};
}

/** A regression's predicted minus true value, when both are numbers (the truth is the feedback's value, else its label). */
export function regressionError(feedback: FeedbackSide, predicted: PredictionSide['predicted']): number | undefined {
  const truth = feedback.value ?? feedback.label;
  return typeof truth === 'number' && typeof predicted === 'number' ? predicted - truth : undefined;
}

function qualityDelta(feedback: FeedbackSide, prediction: PredictionSide): TallyDelta | undefined {
  const { predicted, task } = prediction;
  if (predicted === undefined || task === undefined) return undefined;
  if (task === 'regression') {
    const error = regressionError(feedback, predicted);
    return error === undefined ? undefined : { valued: 1, squaredError: error * error, absoluteError: Math.abs(error) };
  }
  if (feedback.label === undefined) return undefined;
  return { labelled: 1, correct: sameLabel(predicted, feedback.label) ? 1 : 0 };
}
