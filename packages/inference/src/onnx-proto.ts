// The subset of onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto) this package
// reads and writes, declared through protobufjs reflection so one schema serves both encoding and
// decoding. Field numbers are the real ONNX ones; fields not declared here are skipped on decode.
import protobuf from 'protobufjs/light.js';

/** ONNX TensorProto.DataType values. */
export const TensorDataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
} as const;

/** ONNX AttributeProto.AttributeType values. */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
} as const;

type Rule = 'optional' | 'repeated' | 'packed';

// onnx.proto is proto2: scalars have explicit presence and repeated scalars are unpacked unless
// the schema says `[packed = true]` (only TensorProto's *_data fields do).
function field(id: number, type: string, rule: Rule = 'optional'): protobuf.IField & { edition: string } {
  return {
    id,
    type,
    edition: 'proto2',
    ...(rule === 'optional' ? {} : { rule: 'repeated' }),
    ...(rule === 'packed' ? { options: { packed: true } } : {}),
  };
}

// TensorProto's header fields, and the fields that carry its payload.
const tensorHeaderFields = {
  dims: field(1, 'int64', 'repeated'),
  dataType: field(2, 'int32'),
  name: field(8, 'string'),
  docString: field(12, 'string'),
  externalData: field(13, 'StringStringEntryProto', 'repeated'),
  dataLocation: field(14, 'int32'),
  metadataProps: field(16, 'StringStringEntryProto', 'repeated'),
};
const tensorPayloadFields = {
  floatData: field(4, 'float', 'packed'),
  int32Data: field(5, 'int32', 'packed'),
  stringData: field(6, 'bytes', 'repeated'),
  int64Data: field(7, 'int64', 'packed'),
  rawData: field(9, 'bytes'),
  doubleData: field(10, 'double', 'packed'),
  uint64Data: field(11, 'uint64', 'packed'),
};

const onnxSchema = (tensorProtoFields: Record<string, protobuf.IField>): protobuf.INamespace => ({
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: field(1, 'string'),
            refAttrName: field(21, 'string'),
            docString: field(13, 'string'),
            type: field(20, 'int32'),
            f: field(2, 'float'),
            i: field(3, 'int64'),
            s: field(4, 'bytes'),
            t: field(5, 'TensorProto'),
            g: field(6, 'GraphProto'),
            tp: field(14, 'TypeProto'),
            floats: field(7, 'float', 'repeated'),
            ints: field(8, 'int64', 'repeated'),
            strings: field(9, 'bytes', 'repeated'),
            tensors: field(10, 'TensorProto', 'repeated'),
            graphs: field(11, 'GraphProto', 'repeated'),
            typeProtos: field(15, 'TypeProto', 'repeated'),
          },
        },
        ValueInfoProto: {
          fields: {
            name: field(1, 'string'),
            type: field(2, 'TypeProto'),
            docString: field(3, 'string'),
            metadataProps: field(4, 'StringStringEntryProto', 'repeated'),
          },
        },
        NodeProto: {
          fields: {
            input: field(1, 'string', 'repeated'),
            output: field(2, 'string', 'repeated'),
            name: field(3, 'string'),
            opType: field(4, 'string'),
            domain: field(7, 'string'),
            overload: field(8, 'string'),
            attribute: field(5, 'AttributeProto', 'repeated'),
            docString: field(6, 'string'),
            metadataProps: field(9, 'StringStringEntryProto', 'repeated'),
          },
        },
        ModelProto: {
          fields: {
            irVersion: field(1, 'int64'),
            opsetImport: field(8, 'OperatorSetIdProto', 'repeated'),
            producerName: field(2, 'string'),
            producerVersion: field(3, 'string'),
            domain: field(4, 'string'),
            modelVersion: field(5, 'int64'),
            docString: field(6, 'string'),
            graph: field(7, 'GraphProto'),
            metadataProps: field(14, 'StringStringEntryProto', 'repeated'),
          },
        },
        StringStringEntryProto: {
          fields: {
            key: field(1, 'string'),
            value: field(2, 'string'),
          },
        },
        GraphProto: {
          fields: {
            node: field(1, 'NodeProto', 'repeated'),
            name: field(2, 'string'),
            initializer: field(5, 'TensorProto', 'repeated'),
            docString: field(10, 'string'),
            input: field(11, 'ValueInfoProto', 'repeated'),
            output: field(12, 'ValueInfoProto', 'repeated'),
            valueInfo: field(13, 'ValueInfoProto', 'repeated'),
            metadataProps: field(16, 'StringStringEntryProto', 'repeated'),
          },
        },
        TensorProto: { fields: tensorProtoFields },
        TensorShapeProto: {
          fields: {
            dim: field(1, 'Dimension', 'repeated'),
          },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: {
                dimValue: field(1, 'int64'),
                dimParam: field(2, 'string'),
                denotation: field(3, 'string'),
              },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType', 'sequenceType', 'mapType', 'optionalType', 'sparseTensorType'] } },
          fields: {
            tensorType: field(1, 'Tensor'),
            sequenceType: field(4, 'Sequence'),
            mapType: field(5, 'Map'),
            optionalType: field(9, 'Optional'),
            sparseTensorType: field(8, 'SparseTensor'),
            denotation: field(6, 'string'),
          },
          nested: {
            Tensor: {
              fields: {
                elemType: field(1, 'int32'),
                shape: field(2, 'TensorShapeProto'),
              },
            },
            Sequence: {
              fields: {
                elemType: field(1, 'TypeProto'),
              },
            },
            Map: {
              fields: {
                keyType: field(1, 'int32'),
                valueType: field(2, 'TypeProto'),
              },
            },
            Optional: {
              fields: {
                elemType: field(1, 'TypeProto'),
              },
            },
            SparseTensor: {
              fields: {
                elemType: field(1, 'int32'),
                shape: field(2, 'TensorShapeProto'),
              },
            },
          },
        },
        OperatorSetIdProto: {
          fields: {
            domain: field(1, 'string'),
            version: field(2, 'int64'),
          },
        },
      },
    },
  },
});

/** The reflected `onnx.ModelProto` message type. */
export const ModelProto = protobuf.Root.fromJSON(onnxSchema({ ...tensorHeaderFields, ...tensorPayloadFields })).lookupType('onnx.ModelProto');

// The same schema without tensor payloads, for reading a model's structure: the decoder skips the
// weight bytes instead of materialising what can be hundreds of megabytes of numbers.
const ModelStructureProto = protobuf.Root.fromJSON(onnxSchema(tensorHeaderFields)).lookupType('onnx.ModelProto');

// Plain-object views of decoded messages (protobufjs camelCase names; 64-bit integers as numbers,
// which is exact for every dimension and version a real model carries). Only what this package
// reads is typed.

export interface Dimension {
  dimValue?: number;
  dimParam?: string;
}

export interface TypeProto {
  tensorType?: { elemType?: number; shape?: { dim: Dimension[] } };
  sequenceType?: { elemType?: TypeProto };
  mapType?: { keyType?: number; valueType?: TypeProto };
  optionalType?: { elemType?: TypeProto };
  sparseTensorType?: { elemType?: number; shape?: { dim: Dimension[] } };
}

export interface ValueInfo {
  name?: string;
  type?: TypeProto;
}

export interface TensorHeader {
  name?: string;
  dims?: number[];
  dataType?: number;
  /** 1 = EXTERNAL: the payload lives in a file named by `externalData`. */
  dataLocation?: number;
  externalData?: { key?: string; value?: string }[];
}

export interface AttributeStructure {
  name?: string;
  t?: TensorHeader;
  g?: GraphStructure;
  tensors?: TensorHeader[];
  graphs?: GraphStructure[];
}

export interface NodeStructure {
  name?: string;
  opType?: string;
  domain?: string;
  attribute?: AttributeStructure[];
}

export interface GraphStructure {
  name?: string;
  node?: NodeStructure[];
  initializer: TensorHeader[];
  input: ValueInfo[];
  output: ValueInfo[];
}

export interface ModelStructure {
  irVersion?: number;
  opsetImport?: { domain?: string; version?: number }[];
  graph?: GraphStructure;
}

/** Decodes the structure of a model (everything but tensor payloads); throws on malformed bytes. */
export function decodeModelStructure(bytes: Uint8Array): ModelStructure {
  return ModelStructureProto.toObject(ModelStructureProto.decode(bytes), { longs: Number, arrays: true }) as ModelStructure;
}
