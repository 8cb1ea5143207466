// Request and response tensors: the API's `{name: nested array}` form and the Open Inference
// Protocol (KServe V2) `{name, shape, datatype, data}` form, checked against the model's signature.
import { Tensor } from 'onnxruntime-common';
import { elementTypeOf, elementTypes, type ElementType, type OipDatatype } from './dtypes.ts';
import { formatElements, parseElements, type JsonScalar } from './elements.ts';
import { InputValidationError, type InputIssue } from './errors.ts';
import { flattenNested, indexPath, nest, type NestedArray } from './nested.ts';
import type { TensorSpec } from './signature.ts';

export type Feeds = Record<string, Tensor>;

export type NestedValue = NestedArray<JsonScalar>;

/** An Open Inference Protocol tensor; `data` is flat and row-major. */
export interface OipTensor {
  name: string;
  datatype: OipDatatype;
  shape: number[];
  data: JsonScalar[];
}

/** Tensors from `{inputName: nestedArray}`; throws InputValidationError listing every problem. */
export function tensorsFromNested(specs: readonly TensorSpec[], inputs: unknown): Feeds {
  if (!isRecord(inputs)) {
    throw new InputValidationError([{ path: 'inputs', message: 'must be an object mapping input names to nested arrays' }]);
  }
  const given = Object.keys(inputs);
  const issues = namesMatch(specs, given) ? [] : unknownAndMissing(specs, given, (name) => `inputs.${name}`);
  const feeds: Feeds = {};
  for (const spec of specs) {
    if (!Object.hasOwn(inputs, spec.name)) continue;
    const path = `inputs.${spec.name}`;
    const flat = flattenNested(inputs[spec.name]);
    if ('raggedAt' in flat) {
      issues.push({ path: path + flat.raggedAt, message: flat.message });
      continue;
    }
    const tensor = toTensor(spec, flat.shape, flat.elements, path, (offset) => path + indexPath(offset, flat.shape));
    if ('issue' in tensor) issues.push(tensor.issue);
    else feeds[spec.name] = tensor.tensor;
  }
  if (issues.length) throw new InputValidationError(issues);
  return feeds;
}

/** The fields of an Open Inference Protocol request tensor; any other is refused, as other bodies refuse theirs. */
const OIP_TENSOR_FIELDS = new Set(['name', 'shape', 'datatype', 'data', 'parameters']);

/** Tensors from an Open Inference Protocol request's `inputs` array. */
export function tensorsFromOip(specs: readonly TensorSpec[], inputs: unknown): Feeds {
  if (!Array.isArray(inputs)) {
    throw new InputValidationError([{ path: 'inputs', message: 'must be an array of tensors {name, shape, datatype, data}' }]);
  }
  const issues: InputIssue[] = [];
  const feeds: Feeds = {};
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const positions = new Map<string, number>(); // name → index in `inputs`
  inputs.forEach((input: unknown, index) => {
    const path = `inputs[${index}]`;
    if (!isRecord(input) || typeof input.name !== 'string') {
      issues.push({ path, message: 'must be a tensor {name, shape, datatype, data}' });
      return;
    }
    if (positions.has(input.name)) {
      issues.push({ path: `${path}.name`, message: `input ${input.name} is given more than once` });
      return;
    }
    const unknown = Object.keys(input).find((key) => !OIP_TENSOR_FIELDS.has(key));
    if (unknown !== undefined) issues.push({ path: `${path}.${unknown}`, message: 'unknown field; a tensor has name, shape, datatype, data and parameters' });
    positions.set(input.name, index);
    const spec = byName.get(input.name);
    if (!spec) return; // reported with the other unknown names below
    const tensor = oipInputTensor(spec, input, path);
    if ('issue' in tensor) issues.push(tensor.issue);
    else feeds[spec.name] = tensor.tensor;
  });
  const given = [...positions.keys()];
  issues.push(...unknownAndMissing(specs, given, (name) => (positions.has(name) ? `inputs[${positions.get(name)}].name` : 'inputs')));
  if (issues.length) throw new InputValidationError(issues);
  return feeds;
}

function oipInputTensor(spec: TensorSpec, input: Record<string, unknown>, path: string): TensorResult {
  const { shape, datatype, data } = input;
  if (datatype !== spec.datatype) {
    return issue(`${path}.datatype`, `input ${spec.name} has datatype ${spec.datatype}, got ${JSON.stringify(datatype)}`);
  }
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
    return issue(`${path}.shape`, 'must be an array of non-negative integers');
  }
  // The protocol sends data flat; a nested array of the same elements is accepted too.
  const flat = flattenNested(data);
  if ('raggedAt' in flat || flat.shape.length === 0) return issue(`${path}.data`, 'must be an array of elements in row-major order');
  const count = shape.reduce((product: number, dim: number) => product * dim, 1);
  if (flat.elements.length !== count) {
    return issue(`${path}.data`, `shape ${formatShape(shape)} needs ${count} elements, got ${flat.elements.length}`);
  }
  return toTensor(spec, shape, flat.elements, `${path}.shape`, (offset) => `${path}.data[${offset}]`);
}

type TensorResult = { tensor: Tensor } | { issue: InputIssue };

const issue = (path: string, message: string): TensorResult => ({ issue: { path, message } });

function toTensor(spec: TensorSpec, shape: number[], elements: unknown[], shapePath: string, elementPath: (offset: number) => string): TensorResult {
  if (!shapeFits(spec.shape, shape)) {
    return issue(shapePath, `input ${spec.name} expects shape ${formatShape(spec.shape)}, got ${formatShape(shape)}`);
  }
  const type = elementTypeOf(spec.datatype);
  const parsed = parseElements(type, elements);
  if ('badIndex' in parsed) {
    const given = preview(elements[parsed.badIndex]);
    return issue(elementPath(parsed.badIndex), `input ${spec.name} (${spec.datatype}) expects ${parsed.expected}, got ${given}`);
  }
  return { tensor: new Tensor(type, parsed.data, shape) };
}

/** Tensor output as a nested array (a scalar for rank 0). */
export function tensorToNested(tensor: Tensor): NestedValue {
  return nest(formatElements(tensor.type, tensor.data as ArrayLike<unknown>), tensor.dims);
}

export function tensorToOip(name: string, tensor: Tensor): OipTensor {
  return {
    name,
    datatype: elementTypes[tensor.type as ElementType].oip,
    shape: [...tensor.dims],
    data: formatElements(tensor.type, tensor.data as ArrayLike<unknown>),
  };
}

/** True when exactly the specs' names are given (a request's usual case, checked without allocating). */
function namesMatch(specs: readonly TensorSpec[], given: readonly string[]): boolean {
  if (given.length !== specs.length) return false;
  for (const spec of specs) if (!given.includes(spec.name)) return false;
  return true;
}

// `pathOf` says where an unknown name was given or where a missing one belongs.
function unknownAndMissing(specs: readonly TensorSpec[], given: readonly string[], pathOf: (name: string) => string): InputIssue[] {
  const expected = specs.map((spec) => spec.name);
  const unknown = given
    .filter((name) => !expected.includes(name))
    .map((name) => ({ path: pathOf(name), message: `unknown input ${name}; the model's inputs are ${expected.join(', ')}` }));
  const missing = specs
    .filter((spec) => !given.includes(spec.name))
    .map((spec) => ({
      path: pathOf(spec.name),
      message: `missing input ${spec.name} (${spec.datatype}, shape ${formatShape(spec.shape)})`,
    }));
  return [...unknown, ...missing];
}

/** -1 (or a null shape, for an undeclared rank) matches anything. */
function shapeFits(expected: readonly number[] | null, given: readonly number[]): boolean {
  return expected === null || (expected.length === given.length && expected.every((dim, i) => dim === -1 || dim === given[i]));
}

function formatShape(shape: readonly number[] | null): string {
  return shape === null ? 'of any rank' : `[${shape.join(', ')}]`;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
