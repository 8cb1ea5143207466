import { describe, expect, it } from 'vitest';
import { jensenShannonDistance } from './jensen-shannon.ts';

describe('jensenShannonDistance', () => {
  it('matches the closed form √(½ KL(P‖M) + ½ KL(Q‖M)) in bits', () => {
    const p = [0.5, 0.3, 0.2];
    const q = [0.35, 0.35, 0.3];
    const m = p.map((x, i) => (x + q[i]) / 2);
    const kl = (x: number[]) => x.reduce((s, xi, i) => s + xi * Math.log2(xi / m[i]), 0);
    const expected = Math.sqrt(0.5 * kl(p) + 0.5 * kl(q));
    // Counts rather than proportions: normalisation is part of the function.
    expect(jensenShannonDistance([500, 300, 200], [70, 70, 60])).toBeCloseTo(expected, 14);
  });

  it('is 0 for identical and 1 for disjoint distributions', () => {
    expect(jensenShannonDistance([1, 2, 3], [2, 4, 6])).toBe(0);
    expect(jensenShannonDistance([5, 0], [0, 7])).toBeCloseTo(1, 15);
  });

  it('handles a bucket only one side has', () => {
    // P = (1/2, 1/2, 0), Q = (1/2, 0, 1/2): JSD = 1/2 bit.
    expect(jensenShannonDistance([1, 1, 0], [1, 0, 1])).toBeCloseTo(Math.sqrt(0.5), 15);
  });
});
