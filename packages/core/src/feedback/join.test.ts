import { describe, expect, it } from 'vitest';
import type { Task } from '../registry/metadata.ts';
import { facetDelta, pendingFacets, predictedValue, type PredictionSide } from './join.ts';

const binary: Task = { type: 'binary-classification', output: 'probabilities', classes: ['stay', 'churn'] };

describe('predictedValue', () => {
  it('reads the class from probabilities, a lone probability, or a label output', () => {
    expect(predictedValue(binary, { probabilities: [0.2, 0.8] })).toBe('churn');
    expect(predictedValue(binary, { probabilities: [[0.7, 0.3]] })).toBe('stay');
    expect(predictedValue(binary, { probabilities: 0.64 })).toBe('churn');
    expect(predictedValue({ ...binary, output: 'label' }, { label: 1 })).toBe('churn');
    expect(predictedValue({ type: 'multiclass-classification', output: 'label', classes: [3, 5, 7] }, { label: 5 })).toBe(5);
    expect(predictedValue({ type: 'regression', output: 'y' }, { y: [2.5] })).toBe(2.5);
    expect(predictedValue(binary, { other: [1] })).toBeUndefined();
  });
});

describe('join facets', () => {
  const prediction: PredictionSide = {
    variant: 'a',
    model: 'm',
    version: 1,
    configVersion: 2,
    time: '2025-01-01T00:00:00.000Z',
    predicted: 'churn',
    task: 'binary-classification',
  };

  it('counts an outcome and a label once each', () => {
    expect(pendingFacets({ outcome: true, label: 'churn' }, prediction)).toEqual(['outcome', 'quality']);
    expect(pendingFacets({ outcome: true, label: 'churn', outcomeJoined: true }, prediction)).toEqual(['quality']);
    expect(pendingFacets({ outcome: 2, qualityJoined: true, label: 'stay' }, prediction)).toEqual(['outcome']);
    expect(pendingFacets({ label: 'stay' }, { ...prediction, predicted: undefined, task: undefined })).toEqual([]);
  });

  it('adds outcomes as numbers and scores labels against the prediction', () => {
    expect(facetDelta('outcome', { outcome: true }, prediction)).toEqual({ outcomes: 1, outcomeSum: 1, outcomeSumSquares: 1, nonBinaryOutcomes: 0 });
    expect(facetDelta('outcome', { outcome: 2.5 }, prediction)).toEqual({ outcomes: 1, outcomeSum: 2.5, outcomeSumSquares: 6.25, nonBinaryOutcomes: 1 });
    expect(facetDelta('quality', { label: 'churn' }, prediction)).toEqual({ labelled: 1, correct: 1 });
    expect(facetDelta('quality', { label: 'stay' }, prediction)).toEqual({ labelled: 1, correct: 0 });
    expect(facetDelta('quality', { value: 4 }, { ...prediction, predicted: 3, task: 'regression' })).toEqual({ valued: 1, squaredError: 1, absoluteError: 1 });
  });
});
