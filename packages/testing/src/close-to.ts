import { expect } from 'vitest';

// Test support only. Reference values from SciPy 1.17 / mpmath are given to 16–17 significant
// digits; agreement is checked relative to the value so that tiny tail probabilities count too.
export function expectClose(actual: number, expected: number, relative = 1e-12): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.abs(expected) + 1e-300);
}
