import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_PACKED_LENGTH, packNumbers, packValues, unpackNumbers, unpackValues } from './packed-numbers.ts';

const run = (length: number, value: (i: number) => number) => Array.from({ length }, (_, i) => value(i));

describe('packed runs of numbers', () => {
  it('packs float32 values in 4 bytes each and anything else in 8, and unpacks them exactly', () => {
    const outputs = run(10, (i) => Math.fround(i / 7));
    const inputs = run(64, (i) => Math.sin(i));
    const packedOutputs = packNumbers(outputs);
    const packedInputs = packNumbers(inputs);
    expect(Object.keys(packedOutputs!)).toEqual(['$float32']);
    expect(Object.keys(packedInputs!)).toEqual(['$float64']);
    expect(JSON.stringify(packedInputs).length).toBeLessThan(JSON.stringify(inputs).length * 0.6);
    expect(unpackNumbers(packedOutputs)).toEqual(outputs);
    expect(unpackNumbers(packedInputs)).toEqual(inputs);
  });

  it('gives back every finite run as it was, through JSON', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.float({ noNaN: true, noDefaultInfinity: true })), {
          minLength: MIN_PACKED_LENGTH,
          maxLength: 300,
        }),
        (values) => {
          const packed = JSON.parse(JSON.stringify(packNumbers(values)));
          expect(JSON.stringify(unpackNumbers(packed))).toBe(JSON.stringify(values));
        },
      ),
    );
  });

  it('leaves as JSON what packing would change or gain little on', () => {
    expect(packNumbers(run(MIN_PACKED_LENGTH - 1, (i) => i))).toBeUndefined();
    expect(packNumbers([...run(9, (i) => i), Number.NaN])).toBeUndefined();
    expect(packNumbers([...run(9, (i) => i), Number.POSITIVE_INFINITY])).toBeUndefined();
    expect(packNumbers([...run(9, (i) => i), '3'])).toBeUndefined();
    expect(packNumbers(Array.from({ length: 9 }, (_, i) => [i]))).toBeUndefined();
  });

  it('packs only the runs among values, without touching the values given', () => {
    const values = { x: run(16, (i) => i + 0.5), plan: 'pro', short: [1, 2] };
    const packed = packValues(values);
    expect(packed).toEqual({ x: packNumbers(values.x), plan: 'pro', short: [1, 2] });
    expect(values.x).toHaveLength(16);
    const unpacked = JSON.parse(JSON.stringify(packed));
    expect(unpackValues(unpacked)).toBeUndefined();
    expect(unpacked).toEqual(values);
    const nothingToPack = { plan: 'pro' };
    expect(packValues(nothingToPack)).toBe(nothingToPack);
  });

  it('says which value is broken rather than reading garbage', () => {
    expect(unpackNumbers({ $float64: 'AAAA' })).toBeInstanceOf(Error); // 3 bytes: not whole float64s
    expect(unpackNumbers({ $float32: 'not base64!' })).toBeInstanceOf(Error);
    expect(unpackNumbers({ $float32: 12 })).toBeInstanceOf(Error);
    expect(unpackValues({ x: { $float32: '@@@@' } })).toBe('x: $float32 is not base64 of 4-byte values');
    // Objects that are not a packed run are values like any other.
    expect(unpackNumbers({ $float32: 'AAAAAA==', extra: 1 })).toBeUndefined();
    expect(unpackNumbers([1, 2])).toBeUndefined();
  });
});
