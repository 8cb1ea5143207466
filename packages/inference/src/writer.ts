// A small typed builder for ONNX models, so the project (tests, demo seeding, the built-in trainer)
// can make its own models without Python.
import { AttributeType, ModelProto } from './onnx-proto.ts';
import { elementTypes, type ElementType } from './dtypes.ts';
import { toFloat16Bits } from './float16.ts';

/** A dimension: a fixed size, a named symbolic size (dim_param), or `null` for an unnamed unknown. */
export type Dim = number | string | null;

export type ValueType = { tensor: ElementType; shape?: readonly Dim[] } | { sequence: ValueType } | { map: { key: ElementType; value: ValueType } };

/** A tensor type; leave `shape` out for a tensor of unknown rank. */
export function tensorType(elemType: ElementType, shape?: readonly Dim[]): ValueType {
  return shape ? { tensor: elemType, shape } : { tensor: elemType };
}

export function sequenceType(elemType: ValueType): ValueType {
  return { sequence: elemType };
}

export function mapType(key: ElementType, value: ValueType): ValueType {
  return { map: { key, value } };
}

/** A graph input or output. */
export interface ValueSpec {
  name: string;
  type: ValueType;
}

export type IntLike = number | bigint;

export type TensorValues = ArrayLike<number> | readonly IntLike[] | readonly boolean[] | readonly string[];

/** A constant tensor, row-major; 64-bit integers may be given as bigint to keep them exact. */
export interface TensorInit {
  elemType: ElementType;
  dims: readonly number[];
  values: TensorValues;
}

export interface Initializer extends TensorInit {
  name: string;
}

export type AttributeValue =
  | { float: number }
  | { int: IntLike }
  | { string: string }
  | { tensor: TensorInit }
  | { floats: readonly number[] }
  | { ints: readonly IntLike[] }
  | { strings: readonly string[] };

export interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  /** Operator domain, e.g. `ai.onnx.ml`; the default ONNX domain when absent. */
  domain?: string;
  name?: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface ModelSpec {
  inputs: readonly ValueSpec[];
  outputs: readonly ValueSpec[];
  nodes: readonly NodeSpec[];
  initializers?: readonly Initializer[];
  /** Opset version by domain, merged over the default `{'': 17}`. */
  opsets?: Readonly<Record<string, number>>;
  /** Defaults to 8, the IR version that goes with opset 17. */
  irVersion?: number;
  producer?: string;
  graphName?: string;
}

const defaultOpsets = { '': 17 };
const defaultIrVersion = 8;

/** Encodes a model as ONNX ModelProto bytes. */
export function writeModel(spec: ModelSpec): Uint8Array {
  const opsets = { ...defaultOpsets, ...spec.opsets };
  const model = {
    irVersion: spec.irVersion ?? defaultIrVersion,
    producerName: spec.producer ?? 'flywheel',
    opsetImport: Object.entries(opsets).map(([domain, version]) => ({ domain, version })),
    graph: {
      name: spec.graphName ?? 'graph',
      node: spec.nodes.map(nodeProto),
      initializer: (spec.initializers ?? []).map((init) => ({ name: init.name, ...tensorProto(init) })),
      input: spec.inputs.map(valueInfoProto),
      output: spec.outputs.map(valueInfoProto),
    },
  };
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): Initializer {
  return { name, elemType: 'float32', dims, values };
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly IntLike[]): Initializer {
  return { name, elemType: 'int64', dims, values };
}

function valueInfoProto({ name, type }: ValueSpec) {
  return { name, type: typeProto(type) };
}

function typeProto(type: ValueType): object {
  if ('tensor' in type) {
    const shape = type.shape && { dim: type.shape.map(dimensionProto) };
    return { tensorType: { elemType: elementTypes[type.tensor].onnx, shape } };
  }
  if ('sequence' in type) return { sequenceType: { elemType: typeProto(type.sequence) } };
  return { mapType: { keyType: elementTypes[type.map.key].onnx, valueType: typeProto(type.map.value) } };
}

function dimensionProto(dim: Dim) {
  if (typeof dim === 'number') return { dimValue: dim };
  if (typeof dim === 'string') return { dimParam: dim };
  return {};
}

function nodeProto(node: NodeSpec, index: number) {
  return {
    name: node.name ?? `${node.opType}_${index}`,
    opType: node.opType,
    domain: node.domain ?? '',
    input: node.inputs,
    output: node.outputs,
    attribute: Object.entries(node.attributes ?? {}).map(([name, value]) => attributeProto(name, value)),
  };
}

const utf8 = new TextEncoder();

function attributeProto(name: string, value: AttributeValue) {
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  if ('string' in value) return { name, type: AttributeType.STRING, s: utf8.encode(value.string) };
  if ('tensor' in value) return { name, type: AttributeType.TENSOR, t: tensorProto(value.tensor) };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: value.ints };
  return { name, type: AttributeType.STRINGS, strings: value.strings.map((s) => utf8.encode(s)) };
}

function tensorProto({ elemType, dims, values }: TensorInit) {
  const count = dims.reduce((product, dim) => product * dim, 1);
  if (values.length !== count) {
    throw new RangeError(`tensor of dims [${dims.join(', ')}] needs ${count} values, got ${values.length}`);
  }
  const items = Array.from(values as ArrayLike<number | bigint | boolean | string>);
  return { dims, dataType: elementTypes[elemType].onnx, ...tensorPayload(elemType, items) };
}

// TensorProto keeps each element type in the typed field onnx.proto assigns it; small integer
// types, bool and float16 bit patterns all travel in int32_data.
function tensorPayload(elemType: ElementType, items: (number | bigint | boolean | string)[]) {
  const big = (value: number | bigint | boolean | string) => BigInt(value);
  switch (elemType) {
    case 'float32':
      return { floatData: items.map(Number) };
    case 'float64':
      return { doubleData: items.map(Number) };
    case 'int64':
      return { int64Data: items.map(big) };
    case 'uint32':
    case 'uint64':
      return { uint64Data: items.map(big) };
    case 'string':
      return { stringData: items.map((value) => utf8.encode(String(value))) };
    case 'float16':
      return { int32Data: items.map((value) => toFloat16Bits(Number(value))) };
    default:
      return { int32Data: items.map(Number) };
  }
}
