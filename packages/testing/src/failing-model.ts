// A model that fails on some inputs, for the suites that need a variant or shadow that errors.
import { floatTensor, tensorType, writeModel } from '@flywheel/inference';

/**
 * `y = 2 · x` on `x: FP32 [N, 3]` — the same signature and answers as `scaledModel(2)` for
 * integers 0..9 — by looking each value up in a table: any value ≥ 10 indexes past the table's
 * end, and the runtime fails the whole request (a 400 to the caller, an error record in the log).
 */
export function tableLookupModel(): Uint8Array {
  return writeModel({
    inputs: [{ name: 'x', type: tensorType('float32', ['N', 3]) }],
    outputs: [{ name: 'y', type: tensorType('float32', ['N', 3]) }],
    nodes: [
      { opType: 'Cast', inputs: ['x'], outputs: ['index'], attributes: { to: { int: 7 } } },
      { opType: 'Gather', inputs: ['table', 'index'], outputs: ['y'] },
    ],
    initializers: [floatTensor('table', [10], [0, 2, 4, 6, 8, 10, 12, 14, 16, 18])],
  });
}
