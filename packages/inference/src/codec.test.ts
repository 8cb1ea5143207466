import { describe, expect, test } from 'vitest';
import { tensorsFromNested, tensorsFromOip } from './codec.ts';
import { InputValidationError, type InputIssue } from './errors.ts';
import type { TensorSpec } from './signature.ts';

const specs: TensorSpec[] = [
  { name: 'features', datatype: 'FP32', shape: [-1, 4] },
  { name: 'ids', datatype: 'INT64', shape: [-1] },
];

function issuesOf(run: () => unknown): InputIssue[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputValidationError);
    return [...(error as InputValidationError).errors];
  }
  throw new Error('expected an InputValidationError');
}

const nestedIssues = (inputs: unknown) => issuesOf(() => tensorsFromNested(specs, inputs));
const oipIssues = (inputs: unknown) => issuesOf(() => tensorsFromOip(specs, inputs));

describe('nested-array inputs', () => {
  test('valid inputs become tensors of the signature types, with 64-bit integers exact', () => {
    const feeds = tensorsFromNested(specs, {
      features: [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
      ids: ['9007199254740993', -9007199254740991, '-9223372036854775808'],
    });
    expect(feeds.features.type).toBe('float32');
    expect(feeds.features.dims).toEqual([2, 4]);
    expect(Array.from(feeds.features.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(feeds.ids.type).toBe('int64');
    expect(Array.from(feeds.ids.data as BigInt64Array)).toEqual([9007199254740993n, -9007199254740991n, -(2n ** 63n)]);
  });

  test('wrong shape names the input, the expected and the given shape', () => {
    expect(nestedIssues({ features: [[1, 2, 3]], ids: [1] })).toEqual([{ path: 'inputs.features', message: 'input features expects shape [-1, 4], got [1, 3]' }]);
    expect(nestedIssues({ features: [1, 2, 3, 4], ids: [1] })[0].message).toBe('input features expects shape [-1, 4], got [4]');
  });

  test('wrong element type points at the element', () => {
    expect(
      nestedIssues({
        features: [
          [1, 2, 3, 4],
          [1, 2, 'x', 4],
        ],
        ids: [1],
      }),
    ).toEqual([{ path: 'inputs.features[1][2]', message: 'input features (FP32) expects a finite number within float32 range (about ±3.4e38), got "x"' }]);
    expect(nestedIssues({ features: [[1, 2, 3, true]], ids: [1] })[0].path).toBe('inputs.features[0][3]');
  });

  test('int64 elements: integers, exact, in range', () => {
    const features = [[0, 0, 0, 0]];
    for (const bad of [1.5, 2 ** 53 + 2, '9223372036854775808', '12e3', null]) {
      const [issue] = nestedIssues({ features, ids: [7, bad] });
      expect(issue.path).toBe('inputs.ids[1]');
      expect(issue.message).toMatch(/^input ids \(INT64\) expects an integer in \[-9223372036854775808, 9223372036854775807\]/);
    }
  });

  test('unknown and missing inputs are each named', () => {
    expect(nestedIssues({ features: [[1, 2, 3, 4]], extra: [1] })).toEqual([
      { path: 'inputs.extra', message: "unknown input extra; the model's inputs are features, ids" },
      { path: 'inputs.ids', message: 'missing input ids (INT64, shape [-1])' },
    ]);
  });

  test('ragged arrays are rejected where they go ragged', () => {
    expect(
      nestedIssues({
        features: [
          [1, 2, 3, 4],
          [1, 2, 3],
        ],
        ids: [1],
      }),
    ).toEqual([{ path: 'inputs.features[1]', message: 'ragged array: expected 4 elements at depth 1, got 3 elements' }]);
    expect(nestedIssues({ features: [[1, 2, 3, 4], 5], ids: [1] })[0]).toEqual({
      path: 'inputs.features[1]',
      message: 'ragged array: expected 4 elements at depth 1, got a scalar',
    });
    expect(nestedIssues({ features: [[1, 2, 3, [4]]], ids: [1] })[0].path).toBe('inputs.features[0][3]');
  });

  test('every problem is reported at once', () => {
    expect(nestedIssues({ features: [[1]], ids: [[1]] }).map((issue) => issue.path)).toEqual(['inputs.features', 'inputs.ids']);
  });

  test('inputs must be an object', () => {
    expect(nestedIssues([[1, 2, 3, 4]])).toEqual([{ path: 'inputs', message: 'must be an object mapping input names to nested arrays' }]);
  });

  test('a rank-0 input takes a scalar and a null shape takes any rank', () => {
    const feeds = tensorsFromNested(
      [
        { name: 'threshold', datatype: 'FP64', shape: [] },
        { name: 'anything', datatype: 'BOOL', shape: null },
      ],
      { threshold: 0.5, anything: [[[true]]] },
    );
    expect(feeds.threshold.dims).toEqual([]);
    expect(feeds.anything.dims).toEqual([1, 1, 1]);
  });
});

describe('Open Inference Protocol inputs', () => {
  const features = { name: 'features', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6, 7, 8] };
  const ids = { name: 'ids', shape: [1], datatype: 'INT64', data: ['18'] };

  test('flat (or nested) data with a shape becomes tensors', () => {
    const flat = tensorsFromOip(specs, [features, ids]);
    expect(flat.features.dims).toEqual([2, 4]);
    const nested = tensorsFromOip(specs, [
      {
        ...features,
        data: [
          [1, 2, 3, 4],
          [5, 6, 7, 8],
        ],
      },
      ids,
    ]);
    expect(nested.features.data).toEqual(flat.features.data);
  });

  test('datatype must match the signature', () => {
    expect(oipIssues([{ ...features, datatype: 'FP64' }, ids])).toEqual([{ path: 'inputs[0].datatype', message: 'input features has datatype FP32, got "FP64"' }]);
  });

  test('shape must fit the signature and the data', () => {
    expect(oipIssues([{ ...features, shape: [4, 2] }, ids])).toEqual([{ path: 'inputs[0].shape', message: 'input features expects shape [-1, 4], got [4, 2]' }]);
    expect(oipIssues([{ ...features, shape: [3, 4] }, ids])).toEqual([{ path: 'inputs[0].data', message: 'shape [3, 4] needs 12 elements, got 8' }]);
    expect(oipIssues([{ ...features, shape: [2, -4] }, ids])[0].path).toBe('inputs[0].shape');
  });

  test('bad elements are pointed at by flat index', () => {
    expect(oipIssues([{ ...features, data: [1, 2, 3, 4, 5, 6, 7, '8'] }, ids])).toEqual([
      { path: 'inputs[0].data[7]', message: 'input features (FP32) expects a finite number within float32 range (about ±3.4e38), got "8"' },
    ]);
  });

  test('unknown, missing, duplicated and malformed inputs', () => {
    expect(oipIssues([features, { ...ids, name: 'idz' }])).toEqual([
      { path: 'inputs[1].name', message: "unknown input idz; the model's inputs are features, ids" },
      { path: 'inputs', message: 'missing input ids (INT64, shape [-1])' },
    ]);
    expect(oipIssues([features, ids, ids])).toEqual([{ path: 'inputs[2].name', message: 'input ids is given more than once' }]);
    expect(oipIssues(['x', features, { ...ids, name: 'idz' }]).map((issue) => issue.path)).toEqual(['inputs[0]', 'inputs[2].name', 'inputs']);
    expect(oipIssues([features, ids, 'x'])).toEqual([{ path: 'inputs[2]', message: 'must be a tensor {name, shape, datatype, data}' }]);
    expect(oipIssues({ features })).toEqual([{ path: 'inputs', message: 'must be an array of tensors {name, shape, datatype, data}' }]);
  });
});
