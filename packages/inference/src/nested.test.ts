import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { flattenNested, indexPath, nest } from './nested.ts';

const shapes = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 });

describe('nested arrays', () => {
  test('nest and flatten are inverse for any shape', () => {
    fc.assert(
      fc.property(shapes, (shape) => {
        const count = shape.reduce((a, b) => a * b, 1);
        const flat = Array.from({ length: count }, (_, i) => i);
        const flattened = flattenNested(nest(flat, shape));
        // A zero-sized dimension hides the ones after it.
        const visible = shape.includes(0) ? shape.slice(0, shape.indexOf(0) + 1) : shape;
        expect(flattened).toEqual({ shape: visible, elements: flat });
      }),
    );
  });

  test('index paths count row-major', () => {
    expect(indexPath(0, [2, 3])).toBe('[0][0]');
    expect(indexPath(5, [2, 3])).toBe('[1][2]');
    expect(indexPath(0, [])).toBe('');
  });

  test('scalars are rank 0', () => {
    expect(flattenNested(7)).toEqual({ shape: [], elements: [7] });
    expect(nest([7], [])).toBe(7);
  });
});
