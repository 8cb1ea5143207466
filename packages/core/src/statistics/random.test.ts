import { describe, expect, it } from 'vitest';
import { mulberry32 } from './random.ts';

describe('mulberry32', () => {
  it('gives the same sequence for a seed on every machine, uniform on [0, 1)', () => {
    // The reference sequence of mulberry32 for seed 1 (as in its published implementation).
    expect(Array.from({ length: 3 }, mulberry32(1))).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
    const next = mulberry32(42);
    const draws = Array.from({ length: 100_000 }, next);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.reduce((a, b) => a + b, 0) / draws.length).toBeCloseTo(0.5, 2);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });
});
