import { z } from 'zod';
import { BUCKETS, toBasisPoints } from './basis-points.ts';

/**
 * Which buckets each variant owns. Stored with the endpoint config as plain JSON, e.g.
 * `[{"name":"control","ranges":[[0,5000]]},{"name":"candidate","ranges":[[5000,10000]]}]`.
 * Ranges are half-open `[start, end)`, sorted, merged and disjoint; together they cover
 * 0..9999 exactly once.
 *
 * The allocation is not derived from the weights alone but from the previous allocation plus
 * the new weights ({@link reallocate}): that history is what lets a canary ramp keep every unit
 * it already had.
 */
export const allocationSchema = z
  .array(
    z.strictObject({
      name: z.string().min(1),
      ranges: z.array(z.tuple([z.int().min(0).max(BUCKETS), z.int().min(0).max(BUCKETS)])),
    }),
  )
  .superRefine((variants, ctx) => {
    const problem = coverageProblem(variants);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export type Allocation = z.infer<typeof allocationSchema>;
export type VariantBuckets = Allocation[number];
export type BucketRange = VariantBuckets['ranges'][number];

/** A variant's share of traffic as a decimal percentage, as in the endpoint config. */
export interface VariantWeight {
  readonly name: string;
  readonly weight: number;
}

/** Lays the variants out in order as contiguous ranges. */
export function initialAllocation(weights: readonly VariantWeight[]): Allocation {
  return reallocate([], weights);
}

/**
 * Moves to new weights while moving as few units as possible, and only in the direction the
 * weights moved: a variant whose share shrinks keeps its lowest buckets up to its new size, a
 * variant whose share grows keeps all of its buckets and takes the lowest free ones, a variant
 * whose share is unchanged keeps exactly its buckets. Variants absent from `weights` release all
 * their buckets; new ones start with none. Blue-green (100/0 → 0/100) is the special case where
 * one variant releases everything and the other takes it.
 */
export function reallocate(previous: Allocation, weights: readonly VariantWeight[]): Allocation {
  assertUniqueNames(weights.map((w) => w.name));
  const targets = toBasisPoints(weights.map((w) => w.weight));
  const held = new Map(previous.map((v) => [v.name, v.ranges]));

  const kept = weights.map((w, i) => takeLowest(held.get(w.name) ?? [], targets[i]));
  let free = complement(kept.flat());

  return weights.map((w, i) => {
    const missing = targets[i] - size(kept[i]);
    const [taken, rest] = split(free, missing);
    free = rest;
    return { name: w.name, ranges: merge([...kept[i], ...taken]) };
  });
}

/** Basis points each variant owns; a cheap check that an allocation matches the config. */
export function basisPointsOf(allocation: Allocation): { name: string; basisPoints: number }[] {
  return allocation.map((v) => ({ name: v.name, basisPoints: size(v.ranges) }));
}

function takeLowest(ranges: readonly BucketRange[], count: number): BucketRange[] {
  return split(sorted(ranges), count)[0];
}

/** Splits sorted ranges into the first `count` buckets and the rest. */
function split(ranges: readonly BucketRange[], count: number): [BucketRange[], BucketRange[]] {
  const head: BucketRange[] = [];
  const tail: BucketRange[] = [];
  let remaining = Math.max(0, count);
  for (const [start, end] of ranges) {
    const take = Math.min(remaining, end - start);
    if (take > 0) head.push([start, start + take]);
    if (start + take < end) tail.push([start + take, end]);
    remaining -= take;
  }
  return [head, tail];
}

function complement(ranges: readonly BucketRange[]): BucketRange[] {
  const gaps: BucketRange[] = [];
  let cursor = 0;
  for (const [start, end] of sorted(ranges)) {
    if (start > cursor) gaps.push([cursor, start]);
    cursor = Math.max(cursor, end);
  }
  if (cursor < BUCKETS) gaps.push([cursor, BUCKETS]);
  return gaps;
}

function merge(ranges: readonly BucketRange[]): BucketRange[] {
  const merged: BucketRange[] = [];
  for (const [start, end] of sorted(ranges)) {
    const last = merged.at(-1);
    if (last && last[1] === start) last[1] = end;
    else merged.push([start, end]);
  }
  return merged;
}

function sorted(ranges: readonly BucketRange[]): BucketRange[] {
  return [...ranges].sort((a, b) => a[0] - b[0]);
}

function size(ranges: readonly BucketRange[]): number {
  return ranges.reduce((sum, [start, end]) => sum + end - start, 0);
}

function assertUniqueNames(names: readonly string[]): void {
  if (new Set(names).size !== names.length) throw new RangeError('variant names must be unique');
}

function coverageProblem(variants: Allocation): string | undefined {
  if (new Set(variants.map((v) => v.name)).size !== variants.length) {
    return 'variant names must be unique';
  }
  for (const { name, ranges } of variants) {
    if (ranges.some(([start, end]) => start >= end)) return `${name}: every range needs start < end`;
  }
  let cursor = 0;
  for (const [start, end] of sorted(variants.flatMap((v) => v.ranges))) {
    if (start < cursor) return `bucket ${start} is assigned more than once`;
    if (start > cursor) return `buckets ${cursor}..${start - 1} are not assigned`;
    cursor = end;
  }
  return cursor === BUCKETS ? undefined : `buckets ${cursor}..${BUCKETS - 1} are not assigned`;
}
