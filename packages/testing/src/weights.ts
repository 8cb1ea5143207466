import fc from 'fast-check';
import { BUCKETS } from '@flywheel/core';

// Test support only: shared by the routing property tests, not exported from the package.

/** Weights with two decimals summing to 100, as the config schema admits them. */
export const configWeights = (maxVariants = 10) =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: BUCKETS - 1 }), { maxLength: maxVariants - 1 })
    .map((cuts) => [0, ...cuts.sort((a, b) => a - b), BUCKETS])
    .map((edges) => edges.slice(1).map((edge, i) => (edge - edges[i]) / 100));
