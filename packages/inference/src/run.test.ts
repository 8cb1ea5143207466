import { describe, expect, it } from 'vitest';
import { loadModel } from './load.ts';
import { predict } from './predict.ts';
import { floatTensor, tensorType, writeModel } from './writer.ts';

const io = { inputs: [{ name: 'x', type: tensorType('float32', ['N', 3]) }], outputs: [{ name: 'y', type: tensorType('float32', ['N', 3]) }] };

/** `y = 2x`, and a table lookup that fails on any value ≥ 10. */
const scaled = () => writeModel({ ...io, nodes: [{ opType: 'Mul', inputs: ['x', 's'], outputs: ['y'] }], initializers: [floatTensor('s', [1], [2])] });
const lookup = () =>
  writeModel({
    ...io,
    nodes: [
      { opType: 'Cast', inputs: ['x'], outputs: ['i'], attributes: { to: { int: 7 } } },
      { opType: 'Gather', inputs: ['table', 'i'], outputs: ['y'] },
    ],
    initializers: [
      floatTensor(
        'table',
        [10],
        Array.from({ length: 10 }, (_, i) => i),
      ),
    ],
  });

describe('runs in flight together', () => {
  it('are not failed by one of them failing on its inputs', async () => {
    const [good, failing] = await Promise.all([loadModel(scaled()), loadModel(lookup())]);
    const ok = { x: [[1, 2, 3]] };
    const results = await Promise.allSettled([predict(good, ok), predict(failing, { x: [[12, 1, 2]] }), predict(good, ok), predict(failing, ok), predict(good, ok)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect((results[0] as PromiseFulfilledResult<Record<string, unknown>>).value.y).toEqual([[2, 4, 6]]);
  });
});
