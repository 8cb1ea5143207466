import { scoredClasses, type ClassCounts } from './class-counts.ts';

/** A classifier's performance over some rows; a figure is null when its denominator is empty. */
export interface ClassificationFigures {
  readonly rows: number;
  readonly accuracy: number | null;
  /** Binary: of the positive class (1). Multiclass: macro-averaged over the classes it is defined for. */
  readonly precision: number | null;
  readonly recall: number | null;
  /** Area under the ROC curve (multiclass: one-vs-rest, macro-averaged); null without scores of both kinds. */
  readonly auc: number | null;
}

const ratio = (num: number, den: number) => (den > 0 ? num / den : null);

function mean(values: readonly (number | null)[]): number | null {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length > 0 ? defined.reduce((a, b) => a + b, 0) / defined.length : null;
}

/**
 * Accuracy, precision, recall and AUC of class counts, realized or expected alike (see
 * `ClassCounts`): for expected counts these are the confidence-based estimates (CBPE).
 */
export function classificationFigures(counts: ClassCounts): ClassificationFigures {
  const K = counts.classes;
  const cell = (truth: number, predicted: number) => counts.confusion[truth * K + predicted];
  let total = 0;
  let correct = 0;
  const predictedAs = new Array<number>(K).fill(0);
  const truly = new Array<number>(K).fill(0);
  for (let t = 0; t < K; t++) {
    for (let p = 0; p < K; p++) {
      const n = cell(t, p);
      total += n;
      predictedAs[p] += n;
      truly[t] += n;
      if (t === p) correct += n;
    }
  }
  const precisionOf = (c: number) => ratio(cell(c, c), predictedAs[c]);
  const recallOf = (c: number) => ratio(cell(c, c), truly[c]);
  const classes = scoredClasses(K);
  return {
    rows: counts.rows,
    accuracy: ratio(correct, total),
    precision: K === 2 ? precisionOf(1) : mean(classes.map(precisionOf)),
    recall: K === 2 ? recallOf(1) : mean(classes.map(recallOf)),
    auc: mean(classes.map((_, i) => binnedAuc(counts.positives[i], counts.negatives[i]))),
  };
}

/**
 * AUC from score histograms of positives and negatives (weights may be fractional): the share of
 * (positive, negative) pairs the scores order correctly, a pair sharing a bin counting half.
 */
export function binnedAuc(positives: readonly number[], negatives: readonly number[]): number | null {
  let positivesAbove = positives.reduce((a, b) => a + b, 0);
  const allPositives = positivesAbove;
  let allNegatives = 0;
  let ordered = 0;
  for (let b = 0; b < positives.length; b++) {
    positivesAbove -= positives[b];
    ordered += negatives[b] * (positivesAbove + positives[b] / 2);
    allNegatives += negatives[b];
  }
  return allPositives > 0 && allNegatives > 0 ? ordered / (allPositives * allNegatives) : null;
}
