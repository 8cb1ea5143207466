import { predictionRowId } from '@flywheel/core';
import type { Example } from './dataset.ts';
import { byTime } from './split.ts';

/** A logged prediction row, as the monitor archives it. */
export interface LoggedRow {
  /** The prediction request id. */
  readonly id: string;
  /** The row within the request, 0-based. */
  readonly row: number;
  readonly time: string;
  readonly features: Readonly<Record<string, unknown>>;
  /** Ground truth archived with the row, when it was known at logging time. */
  readonly label?: unknown;
}

/** Ground truth for one predicted row (feedback). */
export interface LabelRow {
  readonly id: string;
  readonly row: number;
  readonly label: unknown;
  /** When the label was given; a later label corrects an earlier one. */
  readonly time?: string;
}

export interface AssembleOptions {
  /** Only predictions logged in [from, to). */
  readonly from?: string;
  readonly to?: string;
  /** Keep only the newest rows beyond this many. */
  readonly maxRows?: number;
}

export interface Assembled {
  /** Labelled rows, oldest first. */
  readonly examples: Example[];
  /** Logged rows without a label, left out. */
  readonly unlabelled: number;
  /** The same row logged more than once (at-least-once delivery), counted once. */
  readonly duplicates: number;
}

type Rows<T> = Iterable<T> | AsyncIterable<T>;

/**
 * Joins logged predictions with their labels by request id and row. Labels are read first (they
 * are few); predictions stream through and only labelled ones are kept.
 */
export async function assembleExamples(predictions: Rows<LoggedRow>, labels: Rows<LabelRow>, options: AssembleOptions = {}): Promise<Assembled> {
  const truth = new Map<string, { label: unknown; time: string }>();
  for await (const label of labels) {
    const key = predictionRowId(label.id, label.row);
    const time = label.time ?? '';
    const known = truth.get(key);
    if (!known || time >= known.time) truth.set(key, { label: label.label, time });
  }
  const seen = new Set<string>();
  const examples: Example[] = [];
  let unlabelled = 0;
  let duplicates = 0;
  for await (const logged of predictions) {
    if ((options.from && logged.time < options.from) || (options.to && logged.time >= options.to)) continue;
    const key = predictionRowId(logged.id, logged.row);
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    const label = truth.has(key) ? truth.get(key)!.label : logged.label;
    if (label === undefined || label === null) {
      unlabelled++;
      continue;
    }
    examples.push({ key, time: logged.time, features: logged.features, label });
  }
  examples.sort(byTime);
  const kept = options.maxRows !== undefined && examples.length > options.maxRows ? examples.slice(examples.length - options.maxRows) : examples;
  return { examples: kept, unlabelled, duplicates };
}
