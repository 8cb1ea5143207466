import { describe, expect, it } from 'vitest';
import { PSI_EPSILON, populationStabilityIndex, regroupByReferenceMass } from './population-stability-index.ts';

describe('populationStabilityIndex', () => {
  it('is Σ (q − p) ln((q + ε)/(p + ε))', () => {
    const p = [0.25, 0.25, 0.5];
    const q = [0.2, 0.3, 0.5];
    const expected = p.reduce((s, pi, i) => s + (q[i] - pi) * Math.log((q[i] + PSI_EPSILON) / (pi + PSI_EPSILON)), 0);
    expect(populationStabilityIndex([25, 25, 50], [40, 60, 100])).toBeCloseTo(expected, 14);
  });

  it('is 0 for the same proportions and finite for a bin one side lacks', () => {
    expect(populationStabilityIndex([1, 2, 3], [10, 20, 30])).toBeCloseTo(0, 15);
    const psi = populationStabilityIndex([0, 50, 50], [10, 45, 45]);
    expect(psi).toBeGreaterThan(0.1 * Math.log(0.1 / PSI_EPSILON) * 0.9);
    expect(Number.isFinite(psi)).toBe(true);
  });
});

describe('regroupByReferenceMass', () => {
  it('merges interior bins into groups of equal reference mass, keeping under- and overflow apart', () => {
    const reference = [0, ...new Array<number>(100).fill(10), 0];
    const window = [3, ...new Array<number>(100).fill(1), 4];
    const grouped = regroupByReferenceMass(reference, window);
    expect(grouped.reference).toEqual([0, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 0]);
    expect(grouped.window).toEqual([3, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 4]);
  });

  it('keeps a heavy point mass in one group', () => {
    const grouped = regroupByReferenceMass([0, 900, 50, 50, 0], [0, 1, 2, 3, 0]);
    expect(grouped.reference).toEqual([0, 900, 100, 0]);
    expect(grouped.window).toEqual([0, 1, 5, 0]);
  });
});
