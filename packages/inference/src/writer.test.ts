import { describe, expect, test } from 'vitest';
import { AttributeType, ModelProto, TensorDataType } from './onnx-proto.ts';
import { floatTensor, int64Tensor, tensorType, writeModel } from './writer.ts';

/** Decodes written bytes back with the same schema, 64-bit integers as exact strings. */
function decode(bytes: Uint8Array) {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: String, arrays: true }) as Record<string, any>;
}

describe('writeModel', () => {
  test('writes the model header, opsets and graph values', () => {
    const model = decode(
      writeModel({
        producer: 'trainer',
        opsets: { 'ai.onnx.ml': 3 },
        inputs: [{ name: 'x', type: tensorType('float32', ['batch', 2, null]) }],
        outputs: [{ name: 'y', type: tensorType('float32') }],
        nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }],
      }),
    );
    expect(model.irVersion).toBe('8');
    expect(model.producerName).toBe('trainer');
    expect(model.opsetImport).toEqual([
      { domain: '', version: '17' },
      { domain: 'ai.onnx.ml', version: '3' },
    ]);
    expect(model.graph.input[0]).toEqual({
      name: 'x',
      type: { tensorType: { elemType: TensorDataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: '2' }, {}] } } },
      metadataProps: [],
    });
    expect(model.graph.output[0].type).toEqual({ tensorType: { elemType: TensorDataType.FLOAT } });
  });

  test('attributes keep their declared types', () => {
    const model = decode(
      writeModel({
        inputs: [{ name: 'x', type: tensorType('float32', [1]) }],
        outputs: [{ name: 'y', type: tensorType('float32', [1]) }],
        nodes: [
          {
            opType: 'Custom',
            domain: 'ai.onnx.ml',
            inputs: ['x'],
            outputs: ['y'],
            attributes: {
              alpha: { float: 1 },
              axis: { int: -1 },
              mode: { string: 'SUM' },
              weights: { floats: [0.5, 2] },
              ids: { ints: [1, 2n ** 60n] },
              modes: { strings: ['BRANCH_LEQ', 'LEAF'] },
              value: { tensor: { elemType: 'int32', dims: [2], values: [3, 4] } },
            },
          },
        ],
      }),
    );
    const [node] = model.graph.node;
    expect(node).toMatchObject({ opType: 'Custom', domain: 'ai.onnx.ml', input: ['x'], output: ['y'] });
    const attributes = Object.fromEntries(node.attribute.map((a: any) => [a.name, a]));
    expect(attributes.alpha).toMatchObject({ type: AttributeType.FLOAT, f: 1 });
    expect(attributes.axis).toMatchObject({ type: AttributeType.INT, i: '-1' });
    expect(new TextDecoder().decode(attributes.mode.s)).toBe('SUM');
    expect(attributes.weights).toMatchObject({ type: AttributeType.FLOATS, floats: [0.5, 2] });
    expect(attributes.ids).toMatchObject({ type: AttributeType.INTS, ints: ['1', String(2n ** 60n)] });
    expect(attributes.modes.strings.map((s: Uint8Array) => new TextDecoder().decode(s))).toEqual(['BRANCH_LEQ', 'LEAF']);
    expect(attributes.value.t).toMatchObject({ dataType: TensorDataType.INT32, dims: ['2'], int32Data: [3, 4] });
  });

  test('initializers use the typed field onnx.proto assigns to their element type', () => {
    const model = decode(
      writeModel({
        inputs: [],
        outputs: [{ name: 'w', type: tensorType('float32', [2]) }],
        nodes: [],
        initializers: [
          floatTensor('w', [2], [1.5, -2]),
          int64Tensor('big', [2], [2n ** 62n, -3]),
          { name: 'half', elemType: 'float16', dims: [1], values: [1] },
          { name: 'flags', elemType: 'bool', dims: [2], values: [true, false] },
          { name: 'text', elemType: 'string', dims: [1], values: ['hé'] },
          { name: 'wide', elemType: 'uint64', dims: [1], values: [2n ** 64n - 1n] },
          { name: 'precise', elemType: 'float64', dims: [1], values: [0.1] },
        ],
      }),
    );
    const byName = Object.fromEntries(model.graph.initializer.map((t: any) => [t.name, t]));
    expect(byName.w).toMatchObject({ dataType: TensorDataType.FLOAT, dims: ['2'], floatData: [1.5, -2] });
    expect(byName.big).toMatchObject({ dataType: TensorDataType.INT64, int64Data: [String(2n ** 62n), '-3'] });
    expect(byName.half).toMatchObject({ dataType: TensorDataType.FLOAT16, int32Data: [0x3c00] });
    expect(byName.flags).toMatchObject({ dataType: TensorDataType.BOOL, int32Data: [1, 0] });
    expect(new TextDecoder().decode(byName.text.stringData[0])).toBe('hé');
    expect(byName.wide).toMatchObject({ dataType: TensorDataType.UINT64, uint64Data: [String(2n ** 64n - 1n)] });
    expect(byName.precise).toMatchObject({ dataType: TensorDataType.DOUBLE, doubleData: [0.1] });
  });

  test('an initializer whose values do not fill its dims is refused', () => {
    expect(() => writeModel({ inputs: [], outputs: [], nodes: [], initializers: [floatTensor('w', [2, 2], [1, 2, 3])] })).toThrow('tensor of dims [2, 2] needs 4 values, got 3');
  });
});
