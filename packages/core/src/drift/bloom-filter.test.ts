import { describe, expect, it } from 'vitest';
import { bloomFilterMightContain, createBloomFilter } from './bloom-filter.ts';

describe('Bloom filter', () => {
  const members = Array.from({ length: 2000 }, (_, i) => `member-${i}`);
  const filter = createBloomFilter(members);

  it('has no false negatives', () => {
    expect(members.every((m) => bloomFilterMightContain(filter, m))).toBe(true);
  });

  it('has about the target 1 % false positives', () => {
    const strangers = Array.from({ length: 20_000 }, (_, i) => `stranger-${i}`);
    const falsePositives = strangers.filter((s) => bloomFilterMightContain(filter, s)).length;
    expect(falsePositives / strangers.length).toBeLessThan(0.02);
  });

  it('survives JSON', () => {
    const copy = JSON.parse(JSON.stringify(filter));
    expect(members.every((m) => bloomFilterMightContain(copy, m))).toBe(true);
  });
});
