import { describe, expect, it } from 'vitest';
import { satisfies } from './node-engine.ts';

describe('the pinned-Node check', () => {
  it('accepts a version inside the range and refuses one outside, on either side', () => {
    expect(satisfies('22.23.3', '>=22.12.0 <23')).toBe(true);
    expect(satisfies('22.12.0', '>=22.12.0 <23')).toBe(true);
    expect(satisfies('22.11.9', '>=22.12.0 <23')).toBe(false);
    expect(satisfies('20.20.2', '>=22.12.0 <23')).toBe(false);
    expect(satisfies('23.0.0', '>=22.12.0 <23')).toBe(false);
  });

  it('refuses a range it cannot read rather than passing it', () => {
    expect(() => satisfies('22.0.0', '^22')).toThrow(/cannot read/);
  });
});
