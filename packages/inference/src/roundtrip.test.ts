import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { NestedValue } from './codec.ts';
import { elementTypes, type ElementType } from './dtypes.ts';
import { loadModel, type LoadedModel } from './load.ts';
import { inferOip, predict } from './predict.ts';
import { releaseModel } from './run.ts';
import { tensorType, writeModel } from './writer.ts';

// Values at the edges of each type, as JSON sends them; each comes back unchanged.
const samples: Record<ElementType, NestedValue[][]> = {
  float16: [
    [0.5, -2],
    [65504, 2 ** -24],
  ],
  float32: [
    [Math.fround(0.1), Math.fround(-3.4e38)],
    [0, Math.fround(1e-45)],
  ],
  float64: [
    [0.1, -1e308],
    [5e-324, 123.456],
  ],
  int8: [
    [-128, 127],
    [0, 1],
  ],
  int16: [
    [-32768, 32767],
    [0, -1],
  ],
  int32: [
    [-2147483648, 2147483647],
    [0, -1],
  ],
  int64: [
    ['-9223372036854775808', '9223372036854775807'],
    [9007199254740991, -42],
  ],
  uint8: [
    [0, 255],
    [1, 2],
  ],
  uint16: [
    [0, 65535],
    [1, 2],
  ],
  uint32: [
    [0, 4294967295],
    [1, 2],
  ],
  uint64: [
    ['18446744073709551615', '9007199254740993'],
    [0, 9007199254740991],
  ],
  bool: [
    [true, false],
    [false, true],
  ],
  string: [
    ['héllo', ''],
    ['🚀', 'a "quoted" word'],
  ],
};

const types = Object.keys(samples) as ElementType[];
let model: LoadedModel;

// One Identity per element type, so one session carries every type both ways.
beforeAll(async () => {
  model = await loadModel(
    writeModel({
      inputs: types.map((type) => ({ name: `in_${type}`, type: tensorType(type, ['n', 2]) })),
      outputs: types.map((type) => ({ name: `out_${type}`, type: tensorType(type, ['n', 2]) })),
      nodes: types.map((type) => ({ opType: 'Identity', inputs: [`in_${type}`], outputs: [`out_${type}`] })),
    }),
  );
});
afterAll(() => releaseModel(model));

describe('every element type round-trips through a model', () => {
  test('signature datatypes', () => {
    expect(model.signature.inputs.map((input) => input.datatype)).toEqual(types.map((type) => elementTypes[type].oip));
  });

  test('nested arrays', async () => {
    const outputs = await predict(model, Object.fromEntries(types.map((type) => [`in_${type}`, samples[type]])));
    for (const type of types) expect(outputs[`out_${type}`], type).toEqual(samples[type]);
  });

  test('Open Inference Protocol tensors', async () => {
    const inputs = types.map((type) => ({
      name: `in_${type}`,
      datatype: elementTypes[type].oip,
      shape: [2, 2],
      data: samples[type].flat(),
    }));
    const outputs = await inferOip(model, { inputs, outputs: [{ name: 'out_int64' }, { name: 'out_string' }] });
    expect(outputs).toEqual([
      { name: 'out_int64', datatype: 'INT64', shape: [2, 2], data: samples.int64.flat() },
      { name: 'out_string', datatype: 'BYTES', shape: [2, 2], data: samples.string.flat() },
    ]);
  });

  test('64-bit integers come back as numbers when exact, whatever form they were sent in', async () => {
    const inputs = Object.fromEntries(types.map((type) => [`in_${type}`, samples[type]]));
    const outputs = await predict(model, {
      ...inputs,
      in_int64: [
        ['42', '-9007199254740991'],
        ['9007199254740992', 0],
      ],
    });
    expect(outputs.out_int64).toEqual([
      [42, -9007199254740991],
      ['9007199254740992', 0],
    ]);
  });

  test('float16 rounds to the nearest representable value, and refuses what would overflow it', async () => {
    const inputs = Object.fromEntries(types.map((type) => [`in_${type}`, samples[type]]));
    const outputs = await predict(model, {
      ...inputs,
      in_float16: [
        [0.1, 65504],
        [-1e-9, 1 + 2 ** -11],
      ],
    });
    expect(outputs.out_float16).toEqual([
      [0.0999755859375, 65504],
      [-0, 1],
    ]);
    await expect(
      predict(model, {
        ...inputs,
        in_float16: [
          [0.1, 1e6],
          [-1e-9, 1],
        ],
      }),
    ).rejects.toMatchObject({ name: 'InputValidationError' });
  });

  test('an unknown requested output is a validation error', async () => {
    const inputs = types.map((type) => ({ name: `in_${type}`, datatype: elementTypes[type].oip, shape: [2, 2], data: samples[type].flat() }));
    await expect(inferOip(model, { inputs, outputs: [{ name: 'nope' }] })).rejects.toMatchObject({
      name: 'InputValidationError',
      errors: [{ path: 'outputs[0].name', message: expect.stringMatching(/^unknown output "nope"/) }],
    });
  });
});
