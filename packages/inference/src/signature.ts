// A model's inputs and outputs as the HTTP API describes them, read from the graph itself.
import { decodeModelStructure, type Dimension, type TypeProto, type ValueInfo } from './onnx-proto.ts';
import { elementTypeFromOnnx, elementTypes, onnxTypeName, type OipDatatype } from './dtypes.ts';

/**
 * A tensor the API can carry. `shape` uses -1 for a dimension that is symbolic, unnamed or absent,
 * and is `null` when the graph does not declare the rank at all.
 */
export interface TensorSpec {
  name: string;
  datatype: OipDatatype;
  shape: number[] | null;
}

/** What requests and responses can carry: tensor inputs and tensor outputs. */
export interface Signature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/**
 * A graph value JSON cannot carry: a sequence, map, optional or sparse tensor, or a tensor of an
 * element type such as bfloat16. `type` is the ONNX notation, e.g. `seq(map(int64,tensor(float)))`.
 */
export interface OpaqueValue {
  kind: 'sequence' | 'map' | 'optional' | 'sparse_tensor' | 'unsupported';
  name: string;
  type: string;
}

export type GraphValue = (TensorSpec & { kind: 'tensor' }) | OpaqueValue;

export interface GraphSignature {
  inputs: GraphValue[];
  outputs: GraphValue[];
  /** Graph inputs that are initializers (IR < 4 lists them), so not something a request feeds. */
  initializerInputs: string[];
}

/** Reads the signature of ModelProto bytes; throws if they are not a protobuf message. */
export function readSignature(bytes: Uint8Array): GraphSignature {
  const graph = decodeModelStructure(bytes).graph;
  if (!graph) return { inputs: [], outputs: [], initializerInputs: [] };
  const initializers = new Set(graph.initializer.map((tensor) => tensor.name));
  const isInitializer = (value: ValueInfo) => initializers.has(value.name);
  return {
    inputs: graph.input.filter((value) => !isInitializer(value)).map(graphValue),
    outputs: graph.output.map(graphValue),
    initializerInputs: graph.input.filter(isInitializer).map((value) => value.name ?? ''),
  };
}

function graphValue({ name = '', type = {} }: ValueInfo): GraphValue {
  const tensor = type.tensorType;
  const elementType = tensor && elementTypeFromOnnx(tensor.elemType ?? 0);
  if (tensor && elementType) {
    const shape = tensor.shape ? tensor.shape.dim.map(dimension) : null;
    return { kind: 'tensor', name, datatype: elementTypes[elementType].oip, shape };
  }
  return { kind: opaqueKind(type), name, type: describeType(type) };
}

function dimension(dim: Dimension): number {
  return dim.dimValue !== undefined && dim.dimValue >= 0 ? dim.dimValue : -1;
}

function opaqueKind(type: TypeProto): OpaqueValue['kind'] {
  if (type.sequenceType) return 'sequence';
  if (type.mapType) return 'map';
  if (type.optionalType) return 'optional';
  if (type.sparseTensorType) return 'sparse_tensor';
  return 'unsupported';
}

function describeType(type: TypeProto | undefined): string {
  if (type?.tensorType) return `tensor(${onnxTypeName(type.tensorType.elemType ?? 0)})`;
  if (type?.sequenceType) return `seq(${describeType(type.sequenceType.elemType)})`;
  if (type?.mapType) {
    return `map(${onnxTypeName(type.mapType.keyType ?? 0)},${describeType(type.mapType.valueType)})`;
  }
  if (type?.optionalType) return `optional(${describeType(type.optionalType.elemType)})`;
  if (type?.sparseTensorType) return `sparse_tensor(${onnxTypeName(type.sparseTensorType.elemType ?? 0)})`;
  return 'unknown';
}
