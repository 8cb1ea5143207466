/**
 * What a window keeps to score a classifier: a confusion matrix and, per scored class, the
 * class's score histogram split by truth. Counts and sums only, so the counts of any span of
 * windows are the sum of theirs, and their size is fixed by the class count, not by traffic.
 *
 * The same shape holds realized counts (labelled rows: whole counts) and expected counts
 * (confidence-based performance estimation: a row with class probabilities p adds p_c to the
 * cell of true class c, so the matrix is the expectation of the confusion matrix if the
 * probabilities are calibrated). Every metric is then one function of the counts, for both.
 */
export interface ClassCounts {
  /** Number of classes, K. */
  readonly classes: number;
  /** Rows counted (for expected counts, rows with probabilities). */
  readonly rows: number;
  /** K×K, row-major: `confusion[truth * K + predicted]`. */
  readonly confusion: number[];
  /** Rows that had class scores, which the histograms count. */
  readonly scored: number;
  /**
   * Per scored class (binary: the positive class 1 only; multiclass: every class, one-vs-rest),
   * per score bin: rows of that class (`positives`) and of the others (`negatives`) whose score
   * for the class fell in the bin.
   */
  readonly positives: number[][];
  readonly negatives: number[][];
}

/** Score histograms have this many equal bins on [0, 1]: AUC from them is within the mass of pairs that share a bin. */
export const SCORE_BINS = 100;
/** Past this many classes a window keeps no class counts: their size grows with K². */
export const MAX_CLASSES = 20;

export function scoreBin(score: number): number {
  return Math.min(SCORE_BINS - 1, Math.max(0, Math.floor(score * SCORE_BINS)));
}

/** The classes whose scores are histogrammed: a binary classifier's positive class, else all of them. */
export function scoredClasses(classes: number): number[] {
  return classes === 2 ? [1] : Array.from({ length: classes }, (_, c) => c);
}

export function createClassCounts(classes: number): ClassCounts {
  if (!Number.isInteger(classes) || classes < 2 || classes > MAX_CLASSES) throw new RangeError(`class counts need 2 to ${MAX_CLASSES} classes, not ${classes}`);
  const histograms = () => scoredClasses(classes).map(() => new Array<number>(SCORE_BINS).fill(0));
  return { classes, rows: 0, confusion: new Array<number>(classes * classes).fill(0), scored: 0, positives: histograms(), negatives: histograms() };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Counts one labelled row (mutates `counts`): its true and predicted class, and its class scores when it has them. */
export function addRealized(counts: ClassCounts, truth: number, predicted: number, scores?: readonly number[]): void {
  const K = counts.classes;
  const mutable = counts as Mutable<ClassCounts>;
  mutable.rows++;
  counts.confusion[truth * K + predicted]++;
  if (!scores || scores.length !== K) return;
  mutable.scored++;
  scoredClasses(K).forEach((c, i) => {
    const bin = scoreBin(scores[c]);
    if (truth === c) counts.positives[i][bin]++;
    else counts.negatives[i][bin]++;
  });
}

/**
 * Counts one unlabelled row's expectation (mutates `counts`), given its class probabilities:
 * the model predicts the most probable class, and is right with the probability it gives it.
 */
export function addExpected(counts: ClassCounts, probabilities: readonly number[]): void {
  const K = counts.classes;
  if (probabilities.length !== K) return;
  const mutable = counts as Mutable<ClassCounts>;
  const predicted = argmax(probabilities);
  mutable.rows++;
  mutable.scored++;
  for (let c = 0; c < K; c++) counts.confusion[c * K + predicted] += probabilities[c];
  scoredClasses(K).forEach((c, i) => {
    const bin = scoreBin(probabilities[c]);
    counts.positives[i][bin] += probabilities[c];
    counts.negatives[i][bin] += 1 - probabilities[c];
  });
}

/** The first index of the largest value: the predicted class, as `predictedValue` picks it. */
export function argmax(values: readonly number[]): number {
  return values.reduce((top, v, i) => (v > values[top] ? i : top), 0);
}

const sum = (a: readonly number[], b: readonly number[]) => a.map((x, i) => x + b[i]);

/** Both together. Counts of a different class count (a changed task) cannot add: the newer, `b`, wins. */
export function mergeClassCounts(a: ClassCounts | undefined, b: ClassCounts | undefined): ClassCounts | undefined {
  if (!a || !b) return a ?? b;
  if (a.classes !== b.classes) return b;
  return {
    classes: a.classes,
    rows: a.rows + b.rows,
    confusion: sum(a.confusion, b.confusion),
    scored: a.scored + b.scored,
    positives: a.positives.map((h, i) => sum(h, b.positives[i])),
    negatives: a.negatives.map((h, i) => sum(h, b.negatives[i])),
  };
}
