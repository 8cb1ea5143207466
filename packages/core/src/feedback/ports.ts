import type { PredictionLogRecord } from '../logs/record.ts';
import type { FeedbackRow, LabelValue } from './feedback.ts';
import type { VariantTally } from './tally.ts';

export interface FeedbackReceipt {
  /** Rows given feedback. */
  readonly rows: number;
  /** Of them, rows whose prediction is known, so their feedback is joined (now or before). */
  readonly joined: number;
}

/** Ground truth for one predicted row, as retraining reads it. */
export interface FeedbackLabel {
  /** The prediction (request) id. */
  readonly id: string;
  readonly row: number;
  /** The label, or the true value of a regression. */
  readonly label: LabelValue;
  /** When it was given; a later label corrects an earlier one. */
  readonly time: string;
}

/** Feedback kept by (endpoint, row id) until its prediction arrives, and joined when it does. */
export interface FeedbackStore {
  /**
   * Keeps feedback for rows of the endpoint's predictions (fields given again replace the earlier
   * ones) and joins the rows whose prediction is known. Safe to repeat: a join counts once.
   */
  record(endpoint: string, rows: readonly FeedbackRow[]): Promise<FeedbackReceipt>;
  /** Every label and true value kept for the endpoint's predictions, given before `range.to`. */
  labels(endpoint: string, range: { from: string; to: string }): AsyncIterable<FeedbackLabel>;
}

/** A batch of logged records as the monitor took it off the queue. */
export interface ObservedBatch {
  readonly id: string;
  readonly records: readonly PredictionLogRecord[];
}

/**
 * The prediction side of the join, fed by the monitor with the batches of logged records each
 * invocation takes, together (so they share their writes): counts the served rows per variant and
 * keeps each row whose feedback can count until its feedback arrives. Safe to repeat for a batch
 * delivered again.
 */
export interface PredictionObserver {
  observe(batches: readonly ObservedBatch[]): Promise<void>;
}

/** The per-variant tallies experiments are analysed from. */
export interface ExperimentStore {
  /** Every variant's tally under config versions `from` to `to` (inclusive). */
  tallies(endpoint: string, fromConfigVersion: number, toConfigVersion: number): Promise<VariantTally[]>;
}
