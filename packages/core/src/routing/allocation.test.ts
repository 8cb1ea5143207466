import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocationSchema, basisPointsOf, initialAllocation, reallocate, type Allocation, type VariantWeight } from './allocation.ts';
import { assignVariant } from './assign.ts';
import { BUCKETS, toBasisPoints } from './basis-points.ts';
import { configWeights } from '@flywheel/testing/weights';

const POOL = ['control', 'candidate', 'blue', 'green', 'b', 'c'];

/** A non-empty subset of POOL (in a random order) with config weights: variants come and go. */
const weighting = fc
  .integer({ min: 1, max: POOL.length })
  .chain((n) => fc.tuple(fc.shuffledSubarray(POOL, { minLength: n, maxLength: n }), configWeights(n)))
  .map(([names, weights]): VariantWeight[] => names.map((name, i) => ({ name, weight: weights[i] ?? 0 })));

function owners(allocation: Allocation): string[] {
  return Array.from({ length: BUCKETS }, (_, bucket) => assignVariant(allocation, bucket));
}

function pointsByName(allocation: Allocation): Map<string, number> {
  return new Map(basisPointsOf(allocation).map((v) => [v.name, v.basisPoints]));
}

describe('initialAllocation', () => {
  it('lays variants out in order as contiguous ranges', () => {
    expect(
      initialAllocation([
        { name: 'control', weight: 90 },
        { name: 'candidate', weight: 10 },
      ]),
    ).toEqual([
      { name: 'control', ranges: [[0, 9000]] },
      { name: 'candidate', ranges: [[9000, 10000]] },
    ]);
  });
});

describe('reallocate', () => {
  it('ramps a canary 10 → 50 → 100 by taking buckets from control only', () => {
    const at10 = initialAllocation([
      { name: 'control', weight: 90 },
      { name: 'candidate', weight: 10 },
    ]);
    const at50 = reallocate(at10, [
      { name: 'control', weight: 50 },
      { name: 'candidate', weight: 50 },
    ]);
    expect(at50).toEqual([
      { name: 'control', ranges: [[0, 5000]] },
      { name: 'candidate', ranges: [[5000, 10000]] },
    ]);
    expect(
      reallocate(at50, [
        { name: 'control', weight: 0 },
        { name: 'candidate', weight: 100 },
      ]),
    ).toEqual([
      { name: 'control', ranges: [] },
      { name: 'candidate', ranges: [[0, 10000]] },
    ]);
  });

  it('swaps blue-green 100/0 → 0/100 and back', () => {
    const blue = initialAllocation([
      { name: 'blue', weight: 100 },
      { name: 'green', weight: 0 },
    ]);
    const green = reallocate(blue, [
      { name: 'blue', weight: 0 },
      { name: 'green', weight: 100 },
    ]);
    expect(owners(green).every((o) => o === 'green')).toBe(true);
    expect(
      reallocate(green, [
        { name: 'blue', weight: 100 },
        { name: 'green', weight: 0 },
      ]),
    ).toEqual(blue);
  });

  it('hands a removed variant’s buckets to the added one', () => {
    const before = initialAllocation([
      { name: 'control', weight: 80 },
      { name: 'old', weight: 20 },
    ]);
    const after = reallocate(before, [
      { name: 'control', weight: 80 },
      { name: 'new', weight: 20 },
    ]);
    expect(after).toEqual([
      { name: 'control', ranges: [[0, 8000]] },
      { name: 'new', ranges: [[8000, 10000]] },
    ]);
  });

  it('is plain JSON that round-trips through the schema', () => {
    const allocation = reallocate(
      initialAllocation([
        { name: 'a', weight: 33.33 },
        { name: 'b', weight: 33.33 },
        { name: 'c', weight: 33.34 },
      ]),
      [
        { name: 'a', weight: 10 },
        { name: 'b', weight: 45 },
        { name: 'c', weight: 45 },
      ],
    );
    expect(allocationSchema.parse(JSON.parse(JSON.stringify(allocation)))).toEqual(allocation);
  });

  it('rejects duplicate variant names', () => {
    expect(() =>
      initialAllocation([
        { name: 'a', weight: 50 },
        { name: 'a', weight: 50 },
      ]),
    ).toThrow(RangeError);
  });

  it('assigns every bucket to exactly one variant, with exactly its basis points', () => {
    fc.assert(
      fc.property(fc.array(weighting, { minLength: 1, maxLength: 8 }), (steps) => {
        let allocation: Allocation = [];
        for (const weights of steps) {
          allocation = reallocate(allocation, weights);
          expect(allocationSchema.safeParse(allocation).success).toBe(true);
          const points = toBasisPoints(weights.map((w) => w.weight));
          expect(basisPointsOf(allocation)).toEqual(weights.map((w, i) => ({ name: w.name, basisPoints: points[i] })));
        }
      }),
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(fc.array(weighting, { minLength: 1, maxLength: 5 }), (steps) => {
        const run = () => steps.reduce<Allocation>((previous, weights) => reallocate(previous, weights), []);
        expect(run()).toEqual(run());
      }),
    );
  });

  it('only ever moves a unit from a shrinking variant to a growing one', () => {
    fc.assert(
      fc.property(fc.array(weighting, { minLength: 2, maxLength: 8 }), (steps) => {
        let previous = initialAllocation(steps[0]);
        for (const weights of steps.slice(1)) {
          const next = reallocate(previous, weights);
          const [before, after] = [pointsByName(previous), pointsByName(next)];
          const [ownerBefore, ownerAfter] = [owners(previous), owners(next)];
          const moves = new Set(ownerBefore.map((from, bucket) => `${from}→${ownerAfter[bucket]}`));
          for (const move of moves) {
            const [from, to] = move.split('→');
            if (from === to) continue;
            expect(after.get(from) ?? 0, move).toBeLessThan(before.get(from) ?? 0);
            expect(after.get(to) ?? 0, move).toBeGreaterThan(before.get(to) ?? 0);
          }
          previous = next;
        }
      }),
    );
  });
});

describe('allocationSchema', () => {
  it.each([
    ['a gap', [{ name: 'a', ranges: [[0, 9999]] }], 'buckets 9999..9999 are not assigned'],
    [
      'an overlap',
      [
        { name: 'a', ranges: [[0, 5001]] },
        { name: 'b', ranges: [[5000, 10000]] },
      ],
      'bucket 5000 is assigned more than once',
    ],
    [
      'an empty range',
      [
        {
          name: 'a',
          ranges: [
            [0, 10000],
            [5, 5],
          ],
        },
      ],
      'a: every range needs start < end',
    ],
    [
      'a duplicate name',
      [
        { name: 'a', ranges: [[0, 5000]] },
        { name: 'a', ranges: [[5000, 10000]] },
      ],
      'variant names must be unique',
    ],
  ])('rejects %s', (_, allocation, message) => {
    const result = allocationSchema.safeParse(allocation);
    expect(result.error?.issues[0]?.message).toBe(message);
  });
});
