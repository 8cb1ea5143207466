import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { fromFloat16Bits, toFloat16Bits } from './float16.ts';

describe('float16', () => {
  test('every non-NaN bit pattern survives decode then encode', () => {
    const changed: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = fromFloat16Bits(bits);
      if (!Number.isNaN(value) && toFloat16Bits(value) !== bits) changed.push(bits);
    }
    expect(changed).toEqual([]);
  });

  test('known values', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(65520)).toBe(0x7c00); // rounds up to Infinity
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(toFloat16Bits(2 ** -25)).toBe(0x0000); // tie to even: zero
    expect(toFloat16Bits(3 * 2 ** -25)).toBe(0x0002); // tie to even: 2
    expect(toFloat16Bits(Number.NaN) & 0x7fff).toBeGreaterThan(0x7c00);
    expect(fromFloat16Bits(0xfc00)).toBe(-Infinity);
  });

  test('encoding picks the nearest float16, ties to even', () => {
    fc.assert(
      fc.property(fc.double({ min: -65504, max: 65504, noNaN: true }), (value) => {
        const bits = toFloat16Bits(value);
        const chosen = fromFloat16Bits(bits);
        // The neighbours one unit away on either side are no closer.
        for (const neighbour of [bits - 1, bits + 1]) {
          if ((neighbour & 0x7fff) >= 0x7c00 || neighbour < 0 || (neighbour ^ bits) & 0x8000) continue;
          const other = fromFloat16Bits(neighbour);
          const [d1, d2] = [Math.abs(chosen - value), Math.abs(other - value)];
          expect(d1 < d2 || (d1 === d2 && (bits & 1) === 0)).toBe(true);
        }
      }),
    );
  });
});
