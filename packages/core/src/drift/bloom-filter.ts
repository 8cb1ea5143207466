import { z } from 'zod';
import { stringHash53 } from './string-hash.ts';

/**
 * A Bloom filter over strings, as plain JSON: `words` are the bits packed into unsigned 32-bit
 * integers. Membership answers "certainly not" or "probably".
 */
export const BloomFilterSchema = z.object({
  hashes: z.number().int().min(1).max(16),
  words: z.array(z.number().int().min(0).max(0xffffffff)).min(1),
});
export type BloomFilter = z.infer<typeof BloomFilterSchema>;

const TARGET_FALSE_POSITIVE_RATE = 0.01;
/** Small tails get 1 Kibit anyway (128 bytes): their false-positive rate then all but vanishes. */
const MIN_BITS = 1 << 10;
/** 32 Kibit (4 KiB): holds ~3,400 names at 1 % false positives, degrading gracefully past that. */
const MAX_BITS = 1 << 15;

/** Kirsch–Mitzenmacher double hashing: k probes from two independent hashes. */
function probe(filter: BloomFilter, item: string, visit: (bit: number) => boolean): boolean {
  const bits = filter.words.length * 32;
  const h1 = stringHash53(item, 1) % bits;
  // A zero step would probe one bit k times.
  const h2 = 1 + (stringHash53(item, 2) % (bits - 1));
  for (let i = 0; i < filter.hashes; i++) {
    if (!visit((h1 + i * h2) % bits)) return false;
  }
  return true;
}

export function createBloomFilter(items: readonly string[]): BloomFilter {
  const idealBits = Math.ceil((-items.length * Math.log(TARGET_FALSE_POSITIVE_RATE)) / Math.LN2 ** 2);
  const words = new Array<number>(Math.ceil(Math.min(Math.max(idealBits, MIN_BITS), MAX_BITS) / 32)).fill(0);
  const hashes = Math.min(16, Math.max(1, Math.round(((words.length * 32) / Math.max(items.length, 1)) * Math.LN2)));
  const filter = { hashes, words };
  for (const item of items) {
    probe(filter, item, (bit) => {
      words[bit >>> 5] = (words[bit >>> 5] | (1 << (bit & 31))) >>> 0;
      return true;
    });
  }
  return filter;
}

export function bloomFilterMightContain(filter: BloomFilter, item: string): boolean {
  return probe(filter, item, (bit) => ((filter.words[bit >>> 5] >>> (bit & 31)) & 1) === 1);
}
