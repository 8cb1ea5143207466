import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPredictRequest, predictRequestSchema } from './predict.ts';

/** Values each field might hold, valid or not. */
const anything = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(0, 1, -1, 2.5, Number.NaN),
  fc.constantFrom('', 'u', 'user-42', 'has space', 'a/b', 'x'.repeat(201), 'x'.repeat(257)),
  fc.constant([]),
  fc.constant([{}]),
  fc.constant([{ age: 1 }, [1]]),
  fc.constant([[1, 2]]),
  fc.constant({}),
  fc.constant({ features: [[1, 2]] }),
);

describe('isPredictRequest', () => {
  it('accepts the usual bodies', () => {
    expect(isPredictRequest({ inputs: { features: [[0.1, 2]] }, unit: 'user-42' })).toBe(true);
    expect(isPredictRequest({ records: [{ age: 31 }], id: 'req-1' })).toBe(true);
  });

  it('never accepts what the schema refuses, and never a body the schema would change', () => {
    const keys = ['inputs', 'records', 'unit', 'id', 'extra'];
    fc.assert(
      fc.property(fc.constantFrom(...keys), anything, fc.constantFrom(...keys), anything, (k1, v1, k2, v2) => {
        const candidate: Record<string, unknown> = { inputs: { features: [[1]] }, [k1]: v1, [k2]: v2 };
        for (const k of [k1, k2]) if (candidate[k] === undefined) delete candidate[k];
        if (!isPredictRequest(candidate)) return;
        const parsed = predictRequestSchema.safeParse(candidate);
        expect(parsed.success, JSON.stringify(candidate)).toBe(true);
        expect(parsed.data).toEqual(candidate);
      }),
      { seed: 7, numRuns: 3000 },
    );
  });

  it('leaves to the schema what it would refuse or convert', () => {
    for (const body of [{ inputs: {}, records: [] }, {}, { inputs: [] }, { inputs: {}, unit: 42 }, { inputs: {}, id: 'a/b' }, { inputs: {}, extra: 1 }, null, []]) {
      expect(isPredictRequest(body)).toBe(false);
    }
  });
});
