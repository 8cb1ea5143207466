import { describe, expect, test } from 'vitest';
import { ModelProto, TensorDataType } from './onnx-proto.ts';
import { readSignature } from './signature.ts';
import { floatTensor, mapType, sequenceType, tensorType, writeModel, type ValueSpec } from './writer.ts';

/** A graph whose outputs are its inputs, passed through; enough for reading signatures. */
function passThrough(inputs: ValueSpec[], outputs: ValueSpec[] = inputs.map(({ name, type }) => ({ name: `${name}_out`, type }))) {
  return writeModel({
    inputs,
    outputs,
    nodes: inputs.map(({ name }, i) => ({ opType: 'Identity', inputs: [name], outputs: [outputs[i]?.name ?? `${name}_out`] })),
  });
}

describe('readSignature', () => {
  test('fixed dims, dim_params, unnamed dims and undeclared ranks', () => {
    const signature = readSignature(
      passThrough([
        { name: 'a', type: tensorType('float32', ['batch', 3, null]) },
        { name: 'b', type: tensorType('int64') },
        { name: 'c', type: tensorType('bool', []) },
      ]),
    );
    expect(signature.inputs).toEqual([
      { kind: 'tensor', name: 'a', datatype: 'FP32', shape: [-1, 3, -1] },
      { kind: 'tensor', name: 'b', datatype: 'INT64', shape: null },
      { kind: 'tensor', name: 'c', datatype: 'BOOL', shape: [] },
    ]);
  });

  test('datatypes follow the Open Inference Protocol names', () => {
    const types = ['float16', 'float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool', 'string'] as const;
    const signature = readSignature(passThrough(types.map((type) => ({ name: type, type: tensorType(type, [1]) }))));
    expect(signature.outputs.map((output) => 'datatype' in output && output.datatype)).toEqual([
      'FP16',
      'FP32',
      'FP64',
      'INT8',
      'INT16',
      'INT32',
      'INT64',
      'UINT8',
      'UINT16',
      'UINT32',
      'UINT64',
      'BOOL',
      'BYTES',
    ]);
  });

  test('non-tensor values are flagged with their ONNX type', () => {
    const signature = readSignature(
      passThrough([{ name: 'm', type: mapType('string', tensorType('float32')) }], [{ name: 'probs', type: sequenceType(mapType('int64', tensorType('float32'))) }]),
    );
    expect(signature.inputs).toEqual([{ kind: 'map', name: 'm', type: 'map(string,tensor(float))' }]);
    expect(signature.outputs).toEqual([{ kind: 'sequence', name: 'probs', type: 'seq(map(int64,tensor(float)))' }]);
  });

  test('tensors of element types JSON cannot carry are flagged as unsupported', () => {
    const bfloat16 = { tensorType: { elemType: TensorDataType.BFLOAT16, shape: { dim: [{ dimValue: 2 }] } } };
    const bytes = ModelProto.encode(ModelProto.fromObject({ irVersion: 8, graph: { input: [{ name: 'h', type: bfloat16 }], output: [{ name: 'h', type: bfloat16 }] } })).finish();
    expect(readSignature(bytes).inputs).toEqual([{ kind: 'unsupported', name: 'h', type: 'tensor(bfloat16)' }]);
  });

  test('initializers listed as graph inputs (IR < 4) are left out', () => {
    const signature = readSignature(
      writeModel({
        irVersion: 3,
        opsets: { '': 8 },
        inputs: [
          { name: 'x', type: tensorType('float32', [null, 2]) },
          { name: 'w', type: tensorType('float32', [2, 2]) },
        ],
        outputs: [{ name: 'y', type: tensorType('float32', [null, 2]) }],
        nodes: [{ opType: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
        initializers: [floatTensor('w', [2, 2], [1, 0, 0, 1])],
      }),
    );
    expect(signature.inputs.map((input) => input.name)).toEqual(['x']);
    expect(signature.initializerInputs).toEqual(['w']);
  });

  test('bytes that are not protobuf throw', () => {
    expect(() => readSignature(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toThrow();
  });
});
