import { describe, expect, it } from 'vitest';
import { exactKs, exactWasserstein } from './exact-statistics.ts';

// The ground truth of the accuracy tests must itself be right.
describe('exact statistics on raw samples', () => {
  it('KS is the largest CDF gap', () => {
    expect(exactKs([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(exactKs([1, 2], [3, 4])).toBe(1);
    expect(exactKs([1, 2, 3, 4], [3, 4, 5, 6])).toBe(0.5);
    expect(exactKs([1, 1, 2], [1, 2, 2])).toBeCloseTo(1 / 3, 15);
  });

  it('Wasserstein-1 is the area between the CDFs', () => {
    expect(exactWasserstein([0], [1])).toBe(1);
    expect(exactWasserstein([0, 1], [0, 3])).toBe(1);
    const a = [0.3, 1.7, 2.2, 5];
    expect(
      exactWasserstein(
        a,
        a.map((x) => x + 0.25),
      ),
    ).toBeCloseTo(0.25, 15);
  });
});
