import { z } from 'zod';
import { BloomFilterSchema, createBloomFilter } from './bloom-filter.ts';
import { countSchema } from './count-schema.ts';
import { InvalidBaselineError } from './invalid-baseline-error.ts';

/**
 * A categorical column of the reference: the kept categories with their baseline counts, and the
 * long tail folded into one "other" count. `otherNames` remembers which names were folded so a
 * window can tell a rare-but-known category (counted as other) from a new one.
 */
export const CategoricalReferenceSchema = z
  .object({
    name: z.string().min(1),
    kind: z.literal('categorical'),
    count: countSchema.min(1),
    missing: countSchema,
    typeErrors: countSchema,
    categories: z.array(z.string()),
    counts: z.array(countSchema),
    /** Baseline values folded past the category cap (the "__other__" bucket). */
    other: countSchema,
    otherNames: BloomFilterSchema.nullable(),
  })
  .refine((r) => r.counts.length === r.categories.length, { message: 'counts must match categories' })
  .refine((r) => new Set(r.categories).size === r.categories.length, { message: 'categories must be unique' });
export type CategoricalReference = z.infer<typeof CategoricalReferenceSchema>;

export interface CategoricalBaseline {
  readonly name: string;
  readonly values: readonly string[];
  readonly missing: number;
  readonly typeErrors: number;
  readonly declaredCategories?: readonly string[];
}

/**
 * Keeps the declared categories and then the most frequent ones up to `maxCategories` (ties
 * broken by name, so the layout is deterministic); the rest are folded into `other`.
 */
export function buildCategoricalReference(baseline: CategoricalBaseline, maxCategories: number): CategoricalReference {
  if (baseline.values.length === 0) throw new InvalidBaselineError(`column "${baseline.name}" has no categorical values in the baseline`);
  const tally = new Map<string, number>();
  for (const declared of baseline.declaredCategories ?? []) tally.set(declared, 0);
  for (const value of baseline.values) tally.set(value, (tally.get(value) ?? 0) + 1);
  const declared = new Set(baseline.declaredCategories);
  const ranked = [...tally].sort(([a, ca], [b, cb]) => {
    const byDeclared = Number(declared.has(b)) - Number(declared.has(a));
    return byDeclared || cb - ca || (a < b ? -1 : a > b ? 1 : 0);
  });
  const keep = Math.max(maxCategories, declared.size);
  const kept = ranked.slice(0, keep);
  const folded = ranked.slice(keep);
  return {
    name: baseline.name,
    kind: 'categorical',
    count: baseline.values.length,
    missing: baseline.missing,
    typeErrors: baseline.typeErrors,
    categories: kept.map(([name]) => name),
    counts: kept.map(([, count]) => count),
    other: folded.reduce((sum, [, count]) => sum + count, 0),
    otherNames: folded.length > 0 ? createBloomFilter(folded.map(([name]) => name)) : null,
  };
}

const indexCache = new WeakMap<CategoricalReference, ReadonlyMap<string, number>>();

/** Category name → position in `categories`, built once per reference object. */
export function categoryIndex(reference: CategoricalReference): ReadonlyMap<string, number> {
  let index = indexCache.get(reference);
  if (!index) {
    index = new Map(reference.categories.map((name, i) => [name, i]));
    indexCache.set(reference, index);
  }
  return index;
}
