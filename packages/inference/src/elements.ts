// Tensor elements between JSON scalars and the typed arrays onnxruntime holds them in.
import type { ElementType } from './dtypes.ts';
import { fromFloat16Bits, toFloat16Bits } from './float16.ts';

export type JsonScalar = number | string | boolean;

/** Flat tensor data in the form onnxruntime takes for each element type. */
export type TensorData = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array | string[];

interface ElementCodec {
  /** What a valid JSON element looks like, for error messages. */
  expected: string;
  create(length: number): TensorData;
  /** The element as stored, or undefined when the JSON value is not a valid element. */
  parse(value: unknown): number | bigint | string | undefined;
}

/**
 * A number the float type holds without becoming an infinity: JSON's 1e309 parses to Infinity,
 * and 1e39 overflows float32; either would reach the model (and the log) as something else. NaN
 * (a missing value, which only code can pass: JSON has none) stays a float's own.
 */
const finite = (fits: (value: number) => boolean) => (value: unknown) => (typeof value === 'number' && (Number.isNaN(value) || fits(value)) ? value : undefined);
const FLOAT16_MAX = 65504;

function integer(min: number, max: number, create: (length: number) => TensorData): ElementCodec {
  return {
    expected: `an integer in [${min}, ${max}]`,
    create,
    parse: (value) => (Number.isInteger(value) && (value as number) >= min && (value as number) <= max ? (value as number) : undefined),
  };
}

// 64-bit integers: JSON numbers are exact only up to 2^53, so larger ones come as decimal strings.
function integer64(min: bigint, max: bigint, create: (length: number) => TensorData): ElementCodec {
  return {
    expected: `an integer in [${min}, ${max}] (a decimal string beyond 2^53)`,
    create,
    parse: (value) => {
      const big = Number.isSafeInteger(value) ? BigInt(value as number) : typeof value === 'string' && /^-?\d{1,20}$/.test(value) ? BigInt(value) : undefined;
      return big !== undefined && big >= min && big <= max ? big : undefined;
    },
  };
}

const codecs: Readonly<Record<ElementType, ElementCodec>> = {
  float32: { expected: 'a finite number within float32 range (about ±3.4e38)', create: (n) => new Float32Array(n), parse: finite((v) => Number.isFinite(Math.fround(v))) },
  float64: { expected: 'a finite number', create: (n) => new Float64Array(n), parse: finite(Number.isFinite) },
  float16: {
    expected: `a finite number within float16 range (±${FLOAT16_MAX})`,
    create: (n) => new Uint16Array(n),
    parse: (value) => {
      const fits = finite((v) => Math.abs(v) <= FLOAT16_MAX)(value);
      return fits === undefined ? undefined : toFloat16Bits(fits);
    },
  },
  int8: integer(-(2 ** 7), 2 ** 7 - 1, (n) => new Int8Array(n)),
  int16: integer(-(2 ** 15), 2 ** 15 - 1, (n) => new Int16Array(n)),
  int32: integer(-(2 ** 31), 2 ** 31 - 1, (n) => new Int32Array(n)),
  uint8: integer(0, 2 ** 8 - 1, (n) => new Uint8Array(n)),
  uint16: integer(0, 2 ** 16 - 1, (n) => new Uint16Array(n)),
  uint32: integer(0, 2 ** 32 - 1, (n) => new Uint32Array(n)),
  int64: integer64(-(2n ** 63n), 2n ** 63n - 1n, (n) => new BigInt64Array(n)),
  uint64: integer64(0n, 2n ** 64n - 1n, (n) => new BigUint64Array(n)),
  bool: {
    expected: 'a boolean',
    create: (n) => new Uint8Array(n),
    parse: (value) => (typeof value === 'boolean' ? Number(value) : undefined),
  },
  string: {
    expected: 'a string',
    create: (n) => new Array<string>(n).fill(''),
    parse: (value) => (typeof value === 'string' ? value : undefined),
  },
};

export type ParsedElements = { data: TensorData } | { badIndex: number; expected: string };

/** Converts flat JSON elements into tensor data, or says which element is not valid. */
export function parseElements(type: ElementType, values: readonly unknown[]): ParsedElements {
  const codec = codecs[type];
  const data = codec.create(values.length);
  for (let i = 0; i < values.length; i++) {
    const element = codec.parse(values[i]);
    if (element === undefined) return { badIndex: i, expected: codec.expected };
    (data as unknown as (number | bigint | string)[])[i] = element;
  }
  return { data };
}

/**
 * Converts tensor data (as onnxruntime returns it for `type`) to JSON scalars: 64-bit integers
 * become numbers when exact and decimal strings otherwise; bools become booleans; float16 bit
 * patterns become numbers.
 */
export function formatElements(type: string, data: ArrayLike<unknown>): JsonScalar[] {
  // Filled by push, so the arrays are packed: JSON.stringify takes its fast path over them.
  const out: JsonScalar[] = [];
  if (type === 'bool') {
    for (let i = 0; i < data.length; i++) out.push(data[i] !== 0 && data[i] !== false);
  } else if (type === 'float16' && data instanceof Uint16Array) {
    for (let i = 0; i < data.length; i++) out.push(fromFloat16Bits(data[i]));
  } else if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < data.length; i++) out.push(int64Scalar(data[i]));
  } else {
    // Numbers and strings are JSON scalars as they are.
    for (let i = 0; i < data.length; i++) out.push(data[i] as JsonScalar);
  }
  return out;
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function int64Scalar(value: bigint): JsonScalar {
  return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value.toString();
}
