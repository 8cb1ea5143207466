import { describe, expect, it } from 'vitest';
import { seededRandom, type Random } from '@flywheel/testing/drift/random';
import type { Task } from '../registry/metadata.ts';
import { addExpected, addRealized, argmax, createClassCounts, mergeClassCounts, type ClassCounts } from './class-counts.ts';
import { classProbabilities } from './class-scores.ts';
import { classificationFigures } from './classification-metrics.ts';
import { performanceChecks } from './performance-drop.ts';
import { addServedRow, mergePerformance, performanceFigures, realizedPerformance } from './performance-state.ts';
import { referencePerformance } from './reference.ts';

interface Row {
  readonly probabilities: number[];
  readonly truth: number;
}

/** Exact AUC of one class against the rest on raw scores: every (positive, negative) pair, ties half. */
function exactAuc(rows: readonly Row[], positiveClass: number): number {
  const positives = rows
    .filter((r) => r.truth === positiveClass)
    .map((r) => r.probabilities[positiveClass])
    .sort((a, b) => a - b);
  const negatives = rows.filter((r) => r.truth !== positiveClass).map((r) => r.probabilities[positiveClass]);
  let ordered = 0;
  for (const n of negatives) {
    // Positives above n, and tied with it, by binary search over the sorted positives.
    const firstAtLeast = lowerBound(positives, n);
    const firstAbove = lowerBound(positives, n, true);
    ordered += positives.length - firstAbove + (firstAbove - firstAtLeast) / 2;
  }
  return ordered / (positives.length * negatives.length);
}

function lowerBound(sorted: readonly number[], value: number, strictlyAbove = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (strictlyAbove ? sorted[mid] <= value : sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Direct figures from the rows, for comparison with the counts. */
function direct(rows: readonly Row[], classes: number) {
  const predicted = rows.map((r) => argmax(r.probabilities));
  const precisionOf = (c: number) => {
    const as = rows.filter((_, i) => predicted[i] === c);
    return as.filter((r) => r.truth === c).length / as.length;
  };
  const recallOf = (c: number) => {
    const truly = rows.map((r, i) => ({ r, i })).filter(({ r }) => r.truth === c);
    return truly.filter(({ i }) => predicted[i] === c).length / truly.length;
  };
  const all = Array.from({ length: classes }, (_, c) => c);
  const macro = (f: (c: number) => number) => all.map(f).reduce((a, b) => a + b, 0) / classes;
  return {
    accuracy: rows.filter((r, i) => r.truth === predicted[i]).length / rows.length,
    precision: classes === 2 ? precisionOf(1) : macro(precisionOf),
    recall: classes === 2 ? recallOf(1) : macro(recallOf),
    auc: classes === 2 ? exactAuc(rows, 1) : macro((c) => exactAuc(rows, c)),
  };
}

/** Rows whose probabilities are calibrated: the truth is drawn from them. `distort` bends the truth away from what they claim. */
function rows(random: Random, n: number, classes: number, distort?: (p: number[]) => number[]): Row[] {
  return Array.from({ length: n }, () => {
    const logits = Array.from({ length: classes }, () => random.normal(0, 1.6));
    const exp = logits.map(Math.exp);
    const total = exp.reduce((a, b) => a + b, 0);
    const probabilities = exp.map((e) => e / total);
    const truthDistribution = distort ? distort(probabilities) : probabilities;
    return { probabilities, truth: random.pick(truthDistribution) };
  });
}

function realizedCounts(data: readonly Row[], classes: number): ClassCounts {
  const counts = createClassCounts(classes);
  for (const row of data) addRealized(counts, row.truth, argmax(row.probabilities), row.probabilities);
  return counts;
}

function expectedCounts(data: readonly Row[], classes: number): ClassCounts {
  const counts = createClassCounts(classes);
  for (const row of data) addExpected(counts, row.probabilities);
  return counts;
}

describe('realized performance from class counts', () => {
  for (const classes of [2, 4]) {
    it(`matches accuracy, precision and recall exactly, and AUC within the bin resolution, computed on the raw rows (${classes} classes)`, () => {
      const data = rows(seededRandom(classes), 5000, classes);
      const figures = classificationFigures(realizedCounts(data, classes));
      const exact = direct(data, classes);
      expect(figures.rows).toBe(5000);
      expect(figures.accuracy).toBeCloseTo(exact.accuracy, 12);
      expect(figures.precision).toBeCloseTo(exact.precision, 12);
      expect(figures.recall).toBeCloseTo(exact.recall, 12);
      // 100 bins: pairs sharing a bin count half; on these scores that moves AUC by well under 0.002.
      expect(Math.abs(figures.auc! - exact.auc)).toBeLessThan(0.002);
    });
  }

  it('says null where a figure has no denominator', () => {
    const counts = createClassCounts(2);
    expect(classificationFigures(counts)).toEqual({ rows: 0, accuracy: null, precision: null, recall: null, auc: null });
    addRealized(counts, 0, 0);
    // One negative, predicted negative, no scores: no precision (nothing predicted positive), no recall, no AUC.
    expect(classificationFigures(counts)).toEqual({ rows: 1, accuracy: 1, precision: null, recall: null, auc: null });
  });

  it('merges: the counts of two halves add up to the counts of the whole', () => {
    const data = rows(seededRandom(5), 2000, 3);
    const whole = realizedCounts(data, 3);
    const merged = mergeClassCounts(realizedCounts(data.slice(0, 700), 3), realizedCounts(data.slice(700), 3))!;
    expect(merged).toEqual(whole);
    const estimate = expectedCounts(data, 3);
    const mergedEstimate = mergeClassCounts(expectedCounts(data.slice(0, 700), 3), expectedCounts(data.slice(700), 3))!;
    mergedEstimate.confusion.forEach((x, i) => expect(x).toBeCloseTo(estimate.confusion[i], 9));
  });
});

describe('confidence-based performance estimation (CBPE)', () => {
  for (const classes of [2, 3]) {
    it(`estimates realized accuracy, precision, recall and AUC from calibrated probabilities alone (${classes} classes)`, () => {
      const data = rows(seededRandom(10 + classes), 20_000, classes);
      const realized = classificationFigures(realizedCounts(data, classes));
      const estimated = classificationFigures(expectedCounts(data, classes));
      // Sampling error of 20 000 rows: accuracy's sd is ~0.003; 0.015 is five of them.
      expect(Math.abs(estimated.accuracy! - realized.accuracy!)).toBeLessThan(0.015);
      expect(Math.abs(estimated.precision! - realized.precision!)).toBeLessThan(0.02);
      expect(Math.abs(estimated.recall! - realized.recall!)).toBeLessThan(0.02);
      expect(Math.abs(estimated.auc! - realized.auc!)).toBeLessThan(0.015);
    });
  }

  it('overestimates when the probabilities are overconfident: the estimate stays up while realized accuracy falls', () => {
    // The truth is half as sure as the model claims: a concept change the probabilities cannot see.
    const flatten = (p: number[]) => p.map((x) => 0.5 * x + 0.5 / p.length);
    const data = rows(seededRandom(21), 20_000, 2, flatten);
    const realized = classificationFigures(realizedCounts(data, 2));
    const estimated = classificationFigures(expectedCounts(data, 2));
    expect(estimated.accuracy! - realized.accuracy!).toBeGreaterThan(0.1);
    expect(estimated.auc! - realized.auc!).toBeGreaterThan(0.05);
  });
});

describe('reading probabilities and joined rows', () => {
  const binary: Task = { type: 'binary-classification', output: 'probabilities', classes: ['stay', 'churn'] };

  it('reads a probability vector, a lone positive probability, and refuses what is not a distribution', () => {
    expect(classProbabilities(binary, { probabilities: [[0.25, 0.75]] })).toEqual([0.25, 0.75]);
    expect(classProbabilities({ type: 'binary-classification', output: 'p' }, { p: [0.75] })).toEqual([0.25, 0.75]);
    expect(classProbabilities({ type: 'binary-classification', output: 'p' }, { p: [1] })).toBeUndefined(); // a label
    expect(classProbabilities(binary, { probabilities: [2.5, -1.5] })).toBeUndefined(); // logits
    expect(classProbabilities(binary, { probabilities: [0.9, 0.8] })).toBeUndefined(); // does not sum to 1
    expect(classProbabilities({ ...binary, classes: ['a', 'b', 'c'] }, { probabilities: [0.5, 0.5] })).toBeUndefined(); // wrong length
    expect(classProbabilities({ type: 'regression', output: 'probabilities' }, { probabilities: [0.5, 0.5] })).toBeUndefined();
    // A label output beside a probabilities output: the probabilities are read from the other one, if they fit the classes.
    const labelled: Task = { ...binary, output: 'label' };
    expect(classProbabilities(labelled, { label: [1], probabilities: [[0.25, 0.75]] })).toEqual([0.25, 0.75]);
    expect(classProbabilities(labelled, { label: [1], scores: [0.2, 0.3, 0.5] })).toBeUndefined();
    expect(classProbabilities({ ...labelled, classes: undefined }, { label: [1], probabilities: [0.25, 0.75] })).toBeUndefined();
  });

  it('counts a joined row in the class positions of its task, and leaves out labels outside the classes', () => {
    const prediction = { variant: 'v', model: 'm', version: 1, configVersion: 1, time: '2026-01-01T00:00:00Z', task: 'binary-classification' as const, classes: ['stay', 'churn'] };
    const row = realizedPerformance({ label: 'churn' }, { ...prediction, predicted: 'stay', scores: [0.7, 0.3] })!;
    expect(row.realized!.confusion).toEqual([0, 0, 1, 0]); // truth churn (1), predicted stay (0)
    expect(row.realized!.positives[0].reduce((a, b) => a + b)).toBe(1);
    expect(realizedPerformance({ label: 'maybe' }, { ...prediction, predicted: 'stay' })).toBeUndefined();
    const regression = realizedPerformance({ value: 10 }, { ...prediction, task: 'regression', classes: undefined, predicted: 7 });
    expect(performanceFigures(regression)).toEqual({ realized: { rows: 1, mae: 3, rmse: 3 }, estimated: null });
  });

  it('estimates from served rows with probabilities and skips the rest', () => {
    let estimated = addServedRow(undefined, binary, { probabilities: [0.2, 0.8] });
    estimated = addServedRow(estimated, binary, { label: ['churn'] });
    estimated = addServedRow(estimated, binary, { probabilities: [0.6, 0.4] });
    const figures = performanceFigures(mergePerformance({ estimated }, undefined)).estimated!;
    // Row 1 predicts churn, right with 0.8; row 2 predicts stay, right with 0.6.
    expect(figures.rows).toBe(2);
    expect(figures.accuracy).toBeCloseTo(0.7, 12);
    expect(figures.precision).toBeCloseTo(0.8, 12); // E[TP] 0.8 of 1 predicted positive
    expect(figures.recall).toBeCloseTo(0.8 / 1.2, 12); // E[positives] 0.8 + 0.4
  });
});

describe('a performance drop against the version reference', () => {
  const figures = (accuracy: number, rows: number, estimatedAccuracy = 0.9) => ({
    realized: { rows, accuracy, precision: null, recall: null, auc: null },
    estimated: { rows: 1000, accuracy: estimatedAccuracy, precision: null, recall: null, auc: null },
  });

  it('breaches when accuracy falls past the tolerance on enough rows, realized and estimated apart', () => {
    const reference = { accuracy: 0.9 };
    const [realized, estimated] = performanceChecks(figures(0.8, 500), reference);
    expect(realized).toMatchObject({ metric: 'accuracy', breached: true, threshold: 0.05, rows: 500, observed: 0.8, reference: 0.9 });
    expect(realized.drop).toBeCloseTo(0.1, 12);
    expect(estimated).toMatchObject({ metric: 'estimated_accuracy', breached: false });
    expect(performanceChecks(figures(0.8, 99), reference)[0].breached).toBe(false); // too few labels
    expect(performanceChecks(figures(0.87, 500), reference)[0].breached).toBe(false); // within tolerance
    expect(performanceChecks(figures(0.9, 500, 0.7), reference)[1].breached).toBe(true);
    expect(performanceChecks(figures(0.5, 500), undefined)).toEqual([]);
  });

  it('seldom breaches by chance for a model as accurate as its reference, and catches a real drop on enough rows', () => {
    const random = seededRandom(77);
    const windows = 5000;
    const breaches = (accuracy: number, rows: number, options = {}) => {
      let count = 0;
      for (let w = 0; w < windows; w++) {
        let correct = 0;
        for (let i = 0; i < rows; i++) if (random.uniform() < accuracy) correct++;
        const [check] = performanceChecks({ realized: { rows, accuracy: correct / rows, precision: null, recall: null, auc: null }, estimated: null }, { accuracy: 0.9 }, options);
        if (check.breached) count++;
      }
      return count / windows;
    };
    // Stable at the reference, windows of 100 labels: the tolerance alone breaches ~7 % of windows; with the test, ~0.5 %.
    const toleranceOnly = breaches(0.9, 100, { alpha: 0.999999 });
    const withTest = breaches(0.9, 100);
    expect(toleranceOnly).toBeGreaterThan(0.02);
    expect(withTest).toBeLessThan(0.01);
    // The p-value is the exact binomial tail: P(Bin(10, 0.5) ≤ 3) = 176/1024.
    const [exact] = performanceChecks({ realized: { rows: 10, accuracy: 0.3, precision: null, recall: null, auc: null }, estimated: null }, { accuracy: 0.5 });
    expect(exact.pValue).toBeCloseTo(176 / 1024, 10);
    // Ten points down, on 200 labels: caught nearly always.
    expect(breaches(0.8, 200)).toBeGreaterThan(0.95);
  });

  it('judges a regressor by the relative rise of its RMSE', () => {
    const [check] = performanceChecks({ realized: { rows: 200, mae: 1, rmse: 1.3 }, estimated: null }, { rmse: 1 });
    expect(check).toMatchObject({ metric: 'rmse', breached: true, threshold: 0.1 });
    expect(check.drop).toBeCloseTo(0.3, 12);
  });

  it('reads the reference from the holdout metrics training registered with the version', () => {
    expect(referencePerformance({ metrics: { challenger: { accuracy: 0.91, logLoss: 0.3, rows: 600 } } })).toEqual({ accuracy: 0.91 });
    expect(referencePerformance({ runId: 'r' })).toBeUndefined();
    expect(referencePerformance(undefined)).toBeUndefined();
  });
});
