import { DatasetError, type Example } from './dataset.ts';

export interface TimeSplit {
  readonly train: readonly Example[];
  /** The newest rows: the model is judged on data from after what it learnt from, as in production. */
  readonly holdout: readonly Example[];
}

export function byTime(a: Example, b: Example): number {
  return a.time < b.time ? -1 : a.time > b.time ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Oldest rows train, the newest `holdoutFraction` are held out. */
export function splitByTime(examples: readonly Example[], holdoutFraction = 0.2, minRows = 50): TimeSplit {
  if (!(holdoutFraction > 0 && holdoutFraction < 1)) throw new RangeError('holdoutFraction must be between 0 and 1');
  if (examples.length < minRows) throw new DatasetError(`only ${examples.length} labelled rows; training needs at least ${minRows}`);
  const ordered = [...examples].sort(byTime);
  const holdout = Math.max(1, Math.round(ordered.length * holdoutFraction));
  return { train: ordered.slice(0, ordered.length - holdout), holdout: ordered.slice(ordered.length - holdout) };
}
