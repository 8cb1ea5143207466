// Runs of numbers — a tensor row's slice, an output vector — are most of a record's bytes and most
// of the time spent writing it: JSON takes ~19 characters and a number-to-text conversion per
// double. On the queue such a run travels as its IEEE 754 bytes in base64 instead: 5.3 characters
// a value when every value is a float32 (a float32 tensor's outputs), 10.7 otherwise, no
// conversion either way. Unpacking gives back exactly the numbers packed, so readers see the
// record the sink was given.

/** A run of numbers as little-endian IEEE 754 bytes in base64. */
export type PackedNumbers = { readonly $float32: string } | { readonly $float64: string };

/** Shortest run worth packing: shorter ones stay readable JSON, the bytes saved are few. */
export const MIN_PACKED_LENGTH = 8;

// Typed arrays hold numbers in the platform's byte order; the packed form is little-endian, which
// every platform Flywheel runs on is. Elsewhere runs stay JSON.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const PAD = '='.charCodeAt(0);
const VALUES = new Int16Array(128).fill(-1);
for (let value = 0; value < 64; value++) VALUES[ALPHABET.charCodeAt(value)] = value;

/**
 * Standard, padded base64 of the bytes: the portable {@link toBase64} or, where there is one, a
 * native encoder. The bytes are scratch space, valid only during the call.
 */
export type Base64Encoder = (bytes: Uint8Array) => string;

// Scratch space reused by every pack and unpack, grown on demand, with views made once per growth:
// a typed array, even a view, costs more to allocate than to fill here.
let scratch = new ArrayBuffer(0);
let scratchBytes = new Uint8Array(scratch);
let scratchFloat32 = new Float32Array(scratch);
let scratchFloat64 = new Float64Array(scratch);
let chars = new Uint8Array(0);
const latin1 = new TextDecoder('latin1');

function ensureScratch(bytes: number): void {
  if (scratch.byteLength < bytes) {
    // Whole float64s, so every view covers it.
    scratch = new ArrayBuffer(Math.ceil(bytes / 8) * 8);
    scratchBytes = new Uint8Array(scratch);
    scratchFloat32 = new Float32Array(scratch);
    scratchFloat64 = new Float64Array(scratch);
  }
}

function charsFor(length: number): Uint8Array {
  if (chars.length < length) chars = new Uint8Array(length);
  return chars;
}

/** Base64 in plain JavaScript, for runtimes without a native encoder. */
export function toBase64(bytes: Uint8Array): string {
  const length = bytes.length;
  const out = charsFor(Math.ceil(length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = CODES[n >> 18];
    out[o++] = CODES[(n >> 12) & 63];
    out[o++] = CODES[(n >> 6) & 63];
    out[o++] = CODES[n & 63];
  }
  if (i < length) {
    const n = (bytes[i] << 16) | (i + 1 < length ? bytes[i + 1] << 8 : 0);
    out[o++] = CODES[n >> 18];
    out[o++] = CODES[(n >> 12) & 63];
    out[o++] = i + 1 < length ? CODES[(n >> 6) & 63] : PAD;
    out[o++] = PAD;
  }
  // Base64 is ASCII: decoding it as Latin-1 is a copy, without UTF-8's checks.
  return latin1.decode(out.subarray(0, o));
}

/** Decodes canonical, padded base64 into the scratch space: the byte count, or -1 when `text` is not base64. */
function fromBase64(text: string): number {
  if (text.length % 4 !== 0) return -1;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const length = (text.length / 4) * 3 - padding;
  ensureScratch(length);
  const bytes = scratchBytes;
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const a = digit(text, i);
    const b = digit(text, i + 1);
    const c = last && padding === 2 ? 0 : digit(text, i + 2);
    const d = last && padding >= 1 ? 0 : digit(text, i + 3);
    if ((a | b | c | d) < 0) return -1;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    bytes[o++] = n >> 16;
    if (o < length) bytes[o++] = (n >> 8) & 255;
    if (o < length) bytes[o++] = n & 255;
  }
  return length;
}

function digit(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? VALUES[code] : -1;
}

/**
 * The run packed, or undefined when it stays JSON: shorter than {@link MIN_PACKED_LENGTH}, or
 * holding anything but finite numbers (JSON has no NaN or infinity, and packing must not change
 * what a reader gets).
 */
export function packNumbers(values: readonly unknown[], base64: Base64Encoder = toBase64): PackedNumbers | undefined {
  if (values.length < MIN_PACKED_LENGTH || !LITTLE_ENDIAN) return undefined;
  let float32 = true;
  for (const value of values) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
    if (float32 && Math.fround(value) !== value) float32 = false;
  }
  ensureScratch(values.length * 8);
  const numbers = float32 ? scratchFloat32 : scratchFloat64;
  for (let i = 0; i < values.length; i++) numbers[i] = values[i] as number;
  const text = base64(scratchBytes.subarray(0, values.length * numbers.BYTES_PER_ELEMENT));
  return float32 ? { $float32: text } : { $float64: text };
}

/**
 * The numbers of a packed run; undefined when `value` is not one; an Error when it claims to be
 * one but its bytes are not a whole number of values in base64.
 */
export function unpackNumbers(value: unknown): number[] | Error | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const packed = value as Record<string, unknown>;
  const keys = Object.keys(packed);
  if (keys.length !== 1 || (keys[0] !== '$float32' && keys[0] !== '$float64')) return undefined;
  const width = keys[0] === '$float32' ? 4 : 8;
  const text = packed[keys[0]];
  const length = typeof text === 'string' && LITTLE_ENDIAN ? fromBase64(text) : -1;
  if (length < 0 || length % width !== 0) return new Error(`${keys[0]} is not base64 of ${width}-byte values`);
  return Array.from(width === 4 ? scratchFloat32.subarray(0, length / 4) : scratchFloat64.subarray(0, length / 8));
}

/** The values with each run worth packing packed; the same object when none is. */
export function packValues(values: Readonly<Record<string, unknown>>, base64: Base64Encoder = toBase64): Readonly<Record<string, unknown>> {
  let packed: Record<string, unknown> | undefined;
  for (const key in values) {
    const value = values[key];
    const run = Array.isArray(value) ? packNumbers(value, base64) : undefined;
    if (run === undefined) continue;
    packed ??= { ...values };
    packed[key] = run;
  }
  return packed ?? values;
}

/** Unpacks every packed run among the values, in place; the reason when one is broken. */
export function unpackValues(values: Record<string, unknown>): string | undefined {
  for (const key in values) {
    const numbers = unpackNumbers(values[key]);
    if (numbers instanceof Error) return `${key}: ${numbers.message}`;
    if (numbers !== undefined) values[key] = numbers;
  }
  return undefined;
}
