import { describe, expect, it } from 'vitest';
import { inputSignatureMismatch, type ModelSignature } from './signature.ts';

const of = (...inputs: ModelSignature['inputs']): ModelSignature => ({ inputs, outputs: [] });

describe('input signature agreement between variants', () => {
  it('accepts the same inputs with dynamic dimensions on either side', () => {
    expect(inputSignatureMismatch(of({ name: 'x', datatype: 'FP32', shape: [-1, 4] }), of({ name: 'x', datatype: 'FP32', shape: [2, -1] }))).toBeUndefined();
    expect(inputSignatureMismatch(of({ name: 'x', datatype: 'FP32', shape: null }), of({ name: 'x', datatype: 'FP32', shape: [1] }))).toBeUndefined();
  });

  it('says what differs', () => {
    const base = of({ name: 'x', datatype: 'FP32', shape: [-1, 4] });
    expect(inputSignatureMismatch(base, of({ name: 'x', datatype: 'FP64', shape: [-1, 4] }))).toBe('its input x is FP64, not FP32');
    expect(inputSignatureMismatch(base, of({ name: 'x', datatype: 'FP32', shape: [-1, 5] }))).toBe('its input x has shape [-1, 5], not [-1, 4]');
    expect(inputSignatureMismatch(base, of({ name: 'y', datatype: 'FP32', shape: [-1, 4] }))).toBe('it has no input x');
    expect(inputSignatureMismatch(base, of(base.inputs[0], { name: 'z', datatype: 'FP32', shape: [-1] }))).toBe('it has an extra input z');
  });
});
