import { describe, expect, it } from 'vitest';
import { ModelLoadError } from './errors.ts';
import { checkModelGraph } from './graph-checks.ts';
import { loadModel } from './load.ts';
import { ModelProto } from './onnx-proto.ts';
import { mlpFixture, treeClassifierFixture } from '@flywheel/testing/test-models';
import { floatTensor, tensorType, writeModel } from './writer.ts';

const io = { inputs: [{ name: 'x', type: tensorType('float32', ['N', 2]) }], outputs: [{ name: 'y', type: tensorType('float32', ['N', 2]) }] };
const reason = (run: () => void) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelLoadError);
    return (error as ModelLoadError).reason;
  }
  throw new Error('the check passed');
};

/** Encodes a raw ModelProto object, for what the writer cannot express (external data, subgraphs). */
const encode = (model: Record<string, unknown>) => ModelProto.encode(ModelProto.fromObject(model)).finish();
const valueInfo = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 2 }] } } } });

describe('checkModelGraph', () => {
  it('passes the models the project builds: standard and ML operators', () => {
    expect(() => checkModelGraph(mlpFixture().bytes)).not.toThrow();
    expect(() => checkModelGraph(treeClassifierFixture().bytes)).not.toThrow();
  });

  it('names the node whose operator is not a standard one, or whose domain is not allowed', () => {
    const unknownOp = writeModel({
      ...io,
      nodes: [
        { opType: 'Relu', inputs: ['x'], outputs: ['h'] },
        { name: 'evil', opType: 'ExecShell', inputs: ['h'], outputs: ['y'] },
      ],
    });
    expect(reason(() => checkModelGraph(unknownOp))).toMatch(/node "evil" of graph "graph" \(ExecShell\) is not an operator of ai\.onnx/);
    const customDomain = writeModel({ ...io, opsets: { 'com.example': 1 }, nodes: [{ opType: 'Relu', domain: 'com.example', inputs: ['x'], outputs: ['y'] }] });
    expect(reason(() => checkModelGraph(customDomain))).toMatch(/node "Relu_0" .*uses domain "com\.example", which is not allowed/);
    const notImported = writeModel({ ...io, nodes: [{ opType: 'Scaler', domain: 'ai.onnx.ml', inputs: ['x'], outputs: ['y'] }] });
    expect(reason(() => checkModelGraph(notImported))).toMatch(/node "Scaler_0" .*uses domain "ai\.onnx\.ml", which is not imported/);
    const futureOpset = writeModel({ ...io, opsets: { '': 99 }, nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }] });
    expect(reason(() => checkModelGraph(futureOpset))).toMatch(/opset 99 .* outside/);
  });

  it('refuses weights kept outside the artifact', () => {
    const external = encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'g',
        node: [{ opType: 'Mul', input: ['x', 'w'], output: ['y'] }],
        initializer: [{ name: 'w', dims: [2], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: '/etc/passwd' }] }],
        input: [valueInfo('x')],
        output: [valueInfo('y')],
      },
    });
    expect(reason(() => checkModelGraph(external))).toMatch(/initializer "w" keeps its data outside the model \(in "\/etc\/passwd"\)/);
  });

  it('limits nodes, initializers and subgraph nesting', () => {
    const chain = writeModel({
      ...io,
      nodes: Array.from({ length: 11 }, (_, i) => ({ opType: 'Relu', inputs: [i === 0 ? 'x' : `h${i}`], outputs: [i === 10 ? 'y' : `h${i + 1}`] })),
      initializers: [floatTensor('a', [1], [1]), floatTensor('b', [1], [1])],
    });
    expect(reason(() => checkModelGraph(chain, { maxNodes: 10 }))).toMatch(/more than 10 nodes/);
    expect(reason(() => checkModelGraph(chain, { maxInitializers: 1 }))).toMatch(/more than 1 initializers/);
    let graph: Record<string, unknown> = { name: 'leaf', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }], input: [], output: [valueInfo('y')] };
    for (let depth = 0; depth < 4; depth++) {
      graph = {
        name: `level${depth}`,
        node: [{ opType: 'If', input: ['c'], output: ['y'], attribute: [{ name: 'then_branch', type: 5, g: graph }] }],
        input: [],
        output: [valueInfo('y')],
      };
    }
    const nested = encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { ...graph, input: [valueInfo('x')] } });
    expect(() => checkModelGraph(nested, { maxSubgraphDepth: 4 })).not.toThrow();
    expect(reason(() => checkModelGraph(nested, { maxSubgraphDepth: 3 }))).toMatch(/graph "leaf" is nested 4 subgraphs deep/);
  });

  it('runs before a session is created, so loadModel refuses with the same reason', async () => {
    const unknownOp = writeModel({ ...io, nodes: [{ name: 'evil', opType: 'ExecShell', inputs: ['x'], outputs: ['y'] }] });
    await expect(loadModel(unknownOp)).rejects.toThrow(/node "evil"/);
  });
});
