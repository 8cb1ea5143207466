// The models the serving benchmarks run, written with the project's ONNX writer (and, for the
// tree ensemble, trained by the built-in trainer): from today's tiny MLP to a 20 MB one and a
// small conv net, with a request of any batch size for each.
import { floatTensor, tensorType, writeModel, type NestedValue } from '@flywheel/inference';
import { demoSeed } from '@flywheel/train';
import { mlpFixture, seededRandom } from '@flywheel/testing/test-models';

export interface BenchModel {
  name: string;
  /** How the tables describe it. */
  label: string;
  bytes: Uint8Array;
  input: string;
  /** Shape of one row (the batch dimension left out). */
  row: number[];
  /** The request's inputs for `batch` rows: deterministic values in [-1, 1]. */
  inputs(batch: number): Record<string, NestedValue>;
  /** The same rows flat, for a bare session.run. */
  flat(batch: number): Float32Array;
}

const values = (count: number, seed: number, scale = 1) => {
  const next = seededRandom(seed);
  return Float32Array.from({ length: count }, () => next(scale));
};

function benchModel(name: string, label: string, bytes: Uint8Array, input: string, row: number[]): BenchModel {
  const size = row.reduce((product, dim) => product * dim, 1);
  const flat = (batch: number) => values(batch * size, 99 + batch);
  const nest = (data: Float32Array, shape: number[], offset = 0): NestedValue =>
    shape.length === 1
      ? Array.from(data.subarray(offset, offset + shape[0]))
      : Array.from({ length: shape[0] }, (_, i) => nest(data, shape.slice(1), offset + i * shape.slice(1).reduce((p, d) => p * d, 1)));
  return { name, label, bytes, input, row, flat, inputs: (batch) => ({ [input]: nest(flat(batch), [batch, ...row]) }) };
}

/** Dense layers in → hidden… → out with Relu between and Softmax on top; weights scaled by 1/√fan-in. */
function mlp(widths: number[], seed: number): Uint8Array {
  const nodes = [];
  const initializers = [];
  let current = 'x';
  for (let layer = 0; layer < widths.length - 1; layer++) {
    const [fanIn, fanOut] = [widths[layer], widths[layer + 1]];
    initializers.push(floatTensor(`w${layer}`, [fanIn, fanOut], values(fanIn * fanOut, seed + layer, 1 / Math.sqrt(fanIn))));
    initializers.push(floatTensor(`b${layer}`, [fanOut], values(fanOut, seed + 100 + layer, 0.1)));
    const last = layer === widths.length - 2;
    nodes.push({ opType: 'Gemm', inputs: [current, `w${layer}`, `b${layer}`], outputs: [last ? 'logits' : `z${layer}`] });
    if (!last) nodes.push({ opType: 'Relu', inputs: [`z${layer}`], outputs: [`h${layer}`] });
    current = `h${layer}`;
  }
  nodes.push({ opType: 'Softmax', inputs: ['logits'], outputs: ['probs'], attributes: { axis: { int: -1 } } });
  return writeModel({
    inputs: [{ name: 'x', type: tensorType('float32', ['N', widths[0]]) }],
    outputs: [{ name: 'probs', type: tensorType('float32', ['N', widths.at(-1)!]) }],
    nodes,
    initializers,
  });
}

/** [N, 3, 64, 64] → Conv 3→16 → Relu → MaxPool → Conv 16→32 → Relu → MaxPool → GlobalAveragePool → Gemm 32→10 → Softmax. */
function convNet(seed: number): Uint8Array {
  const conv = { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } };
  const pool = { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } };
  return writeModel({
    inputs: [{ name: 'image', type: tensorType('float32', ['N', 3, 64, 64]) }],
    outputs: [{ name: 'probs', type: tensorType('float32', ['N', 10]) }],
    nodes: [
      { opType: 'Conv', inputs: ['image', 'k1', 'c1'], outputs: ['a1'], attributes: conv },
      { opType: 'Relu', inputs: ['a1'], outputs: ['r1'] },
      { opType: 'MaxPool', inputs: ['r1'], outputs: ['p1'], attributes: pool },
      { opType: 'Conv', inputs: ['p1', 'k2', 'c2'], outputs: ['a2'], attributes: conv },
      { opType: 'Relu', inputs: ['a2'], outputs: ['r2'] },
      { opType: 'MaxPool', inputs: ['r2'], outputs: ['p2'], attributes: pool },
      { opType: 'GlobalAveragePool', inputs: ['p2'], outputs: ['g'] },
      { opType: 'Flatten', inputs: ['g'], outputs: ['f'], attributes: { axis: { int: 1 } } },
      { opType: 'Gemm', inputs: ['f', 'w', 'b'], outputs: ['logits'] },
      { opType: 'Softmax', inputs: ['logits'], outputs: ['probs'], attributes: { axis: { int: -1 } } },
    ],
    initializers: [
      floatTensor('k1', [16, 3, 3, 3], values(16 * 27, seed, 1 / Math.sqrt(27))),
      floatTensor('c1', [16], values(16, seed + 1, 0.1)),
      floatTensor('k2', [32, 16, 3, 3], values(32 * 144, seed + 2, 1 / 12)),
      floatTensor('c2', [32], values(32, seed + 3, 0.1)),
      floatTensor('w', [32, 10], values(320, seed + 4, 1 / Math.sqrt(32))),
      floatTensor('b', [10], values(10, seed + 5, 0.1)),
    ],
  });
}

export type BenchModelName = 'tiny' | 'medium' | 'wide' | 'conv' | 'trees';
export const benchModelNames: readonly BenchModelName[] = ['tiny', 'medium', 'wide', 'conv', 'trees'];

/** One bench model by name (the tree ensemble is trained on demand: the demo's model, ~2 s). */
export async function benchModelOf(name: BenchModelName): Promise<BenchModel> {
  switch (name) {
    case 'tiny':
      return benchModel('tiny', 'tiny MLP 4→8→3', mlpFixture().bytes, 'features', [4]);
    case 'medium':
      return benchModel('medium', 'MLP 64→512→512→10', mlp([64, 512, 512, 10], 1), 'x', [64]);
    case 'wide':
      return benchModel('wide', 'MLP 256→2048→2048→100', mlp([256, 2048, 2048, 100], 2), 'x', [256]);
    case 'conv':
      return benchModel('conv', 'CNN 3×64×64', convNet(3), 'image', [3, 64, 64]);
    case 'trees': {
      const demo = await demoSeed();
      const columns = demo.metadata.features!.length;
      return benchModel('trees', `built-in trainer's boosted trees (demo model, ${columns} features)`, demo.bytes, 'features', [columns]);
    }
  }
}

/** The names given as `MODELS=tiny,wide`, all when unset. */
export function benchModelsFromEnv(): BenchModelName[] {
  const given = process.env.MODELS?.split(',').filter(Boolean) as BenchModelName[] | undefined;
  for (const name of given ?? []) if (!benchModelNames.includes(name)) throw new Error(`MODELS: unknown model ${name}; one of ${benchModelNames.join(', ')}`);
  return given ?? [...benchModelNames];
}
