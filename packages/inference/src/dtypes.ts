// The tensor element types this package can carry, named as onnxruntime names them, with their
// ONNX TensorProto.DataType code and Open Inference Protocol (KServe V2) datatype.
import { TensorDataType } from './onnx-proto.ts';

export type ElementType = 'float16' | 'float32' | 'float64' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'bool' | 'string';

export type OipDatatype = 'FP16' | 'FP32' | 'FP64' | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'BOOL' | 'BYTES';

export const elementTypes: Readonly<Record<ElementType, { onnx: number; oip: OipDatatype }>> = {
  float16: { onnx: TensorDataType.FLOAT16, oip: 'FP16' },
  float32: { onnx: TensorDataType.FLOAT, oip: 'FP32' },
  float64: { onnx: TensorDataType.DOUBLE, oip: 'FP64' },
  int8: { onnx: TensorDataType.INT8, oip: 'INT8' },
  int16: { onnx: TensorDataType.INT16, oip: 'INT16' },
  int32: { onnx: TensorDataType.INT32, oip: 'INT32' },
  int64: { onnx: TensorDataType.INT64, oip: 'INT64' },
  uint8: { onnx: TensorDataType.UINT8, oip: 'UINT8' },
  uint16: { onnx: TensorDataType.UINT16, oip: 'UINT16' },
  uint32: { onnx: TensorDataType.UINT32, oip: 'UINT32' },
  uint64: { onnx: TensorDataType.UINT64, oip: 'UINT64' },
  bool: { onnx: TensorDataType.BOOL, oip: 'BOOL' },
  string: { onnx: TensorDataType.STRING, oip: 'BYTES' },
};

const entries = Object.entries(elementTypes) as [ElementType, { onnx: number; oip: OipDatatype }][];
const byOnnx = new Map(entries.map(([type, { onnx }]) => [onnx, type]));
const byOip = Object.fromEntries(entries.map(([type, { oip }]) => [oip, type])) as Record<OipDatatype, ElementType>;

export function elementTypeFromOnnx(code: number): ElementType | undefined {
  return byOnnx.get(code);
}

export function elementTypeOf(datatype: OipDatatype): ElementType {
  return byOip[datatype];
}

/** ONNX names of the data types, for messages about types this package cannot carry. */
export function onnxTypeName(code: number): string {
  const name = Object.entries(TensorDataType).find(([, value]) => value === code)?.[0];
  return name ? name.toLowerCase() : `data type ${code}`;
}
