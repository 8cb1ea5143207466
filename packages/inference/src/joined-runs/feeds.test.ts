import { describe, expect, it, vi } from 'vitest';
import { loadModel } from '../load.ts';
import type { NestedValue } from '../codec.ts';
import { predict } from '../predict.ts';
import { embeddingFixture, mlpFixture } from '@flywheel/testing/test-models';
import { int64Tensor, tensorType, writeModel } from '../writer.ts';

/** `y = x - mean over the batch`: each row's answer depends on the other rows. */
const batchCentered = () =>
  writeModel({
    inputs: [{ name: 'x', type: tensorType('float32', ['N', 3]) }],
    outputs: [{ name: 'y', type: tensorType('float32', ['N', 3]) }],
    nodes: [
      { opType: 'ReduceMean', inputs: ['x'], outputs: ['m'], attributes: { axes: { ints: [0] }, keepdims: { int: 1 } } },
      { opType: 'Sub', inputs: ['x', 'm'], outputs: ['y'] },
    ],
  });

/** `y = running sum of x down the batch`: a row's answer depends on the rows before it. */
const runningSum = () =>
  writeModel({
    inputs: [{ name: 'x', type: tensorType('float32', ['N', 3]) }],
    outputs: [{ name: 'y', type: tensorType('float32', ['N', 3]) }],
    nodes: [{ opType: 'CumSum', inputs: ['x', 'axis'], outputs: ['y'] }],
    initializers: [int64Tensor('axis', [], [0])],
  });

/** `y = relu(x)` with the output's width left open, so a joined request could come back another shape. */
const openWidth = () =>
  writeModel({
    inputs: [{ name: 'x', type: tensorType('float32', ['N', 'M']) }],
    outputs: [{ name: 'y', type: tensorType('float32', ['N', 'M']) }],
    nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }],
  });

/** A model with its batch dimension fixed at 1. */
const fixedBatch = () =>
  writeModel({
    inputs: [{ name: 'x', type: tensorType('float32', [1, 3]) }],
    outputs: [{ name: 'y', type: tensorType('float32', [1, 3]) }],
    nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }],
  });

describe('joining runs that queue', () => {
  it('is allowed for a model whose rows are independent, and refused when rows interact or the batch is fixed', async () => {
    expect((await loadModel(mlpFixture().bytes)).batchable).toBe(true);
    expect((await loadModel(embeddingFixture().bytes)).batchable).toBe(true);
    expect((await loadModel(batchCentered())).batchable).toBe(false);
    expect((await loadModel(runningSum())).batchable).toBe(false);
    expect((await loadModel(openWidth())).batchable).toBe(false);
    expect((await loadModel(fixedBatch())).batchable).toBe(false);
    expect((await loadModel(mlpFixture().bytes, { batching: false })).batchable).toBe(false);
  });

  it('answers each request with its own rows, in fewer runs than requests', async () => {
    const fixture = mlpFixture();
    const model = await loadModel(fixture.bytes);
    const features = fixture.inputs.features as number[][];
    const alone: Record<string, NestedValue>[] = [];
    for (const row of features) alone.push(await predict(model, { features: [row] }));
    const runs = vi.spyOn(model.session, 'run');
    // 30 requests of one, two or three rows, in flight together.
    const requests = Array.from({ length: 30 }, (_, i) => features.slice(i % 3, (i % 3) + 1 + (i % 2)));
    const answers = await Promise.all(requests.map((rows) => predict(model, { features: rows })));
    answers.forEach((answer, i) => {
      const first = i % 3;
      const expected = requests[i].map((_, r) => alone[first + r]);
      expect(answer.probs).toHaveLength(requests[i].length);
      expected.forEach((one, r) => {
        (one.probs as number[][])[0].forEach((value, k) => expect((answer.probs as number[][])[r][k]).toBeCloseTo(value, 6));
        (one.gate as number[][])[0].forEach((value, k) => expect((answer.gate as number[][])[r][k]).toBeCloseTo(value, 6));
      });
    });
    expect(runs.mock.calls.length).toBeLessThan(10);
  });

  it('fails only the request whose values the model refuses, when its batch fails', async () => {
    const model = await loadModel(embeddingFixture().bytes);
    expect(model.batchable).toBe(true);
    const good = embeddingFixture().inputs;
    const bad = { ...good, ids: (good.ids as number[][]).map((row) => row.map(() => 1_000_000)) };
    const results = await Promise.allSettled([predict(model, good), predict(model, good), predict(model, bad), predict(model, good)]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[3] as PromiseFulfilledResult<Record<string, unknown>>).value).toEqual((results[0] as PromiseFulfilledResult<Record<string, unknown>>).value);
  });
});
