// IEEE 754 binary16 <-> number, bit-exact. Float16Array is not in every runtime this package
// targets, so float16 tensors travel as Uint16Array bit patterns.

const scratch = new DataView(new ArrayBuffer(4));

/** Rounds a number to the nearest binary16 (ties to even) and returns its 16 bits. */
export function toFloat16Bits(value: number): number {
  // Going through float32 first is exact: rounding twice is harmless when the intermediate format
  // has at least 2p+2 significand bits (24 >= 2*11+2).
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;

  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // Inf, NaN
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00; // overflow to Inf
  if (halfExponent <= 0) {
    // Subnormal half (or zero): shift the mantissa with its implicit leading 1 into place.
    if (halfExponent < -10) return sign;
    const full = mantissa | 0x800000;
    const shift = 14 - halfExponent;
    return sign | roundShift(full, shift);
  }
  // Normal: carrying out of the mantissa correctly bumps the exponent (and reaches Inf at the top).
  return sign | ((halfExponent << 10) + roundShift(mantissa, 13));
}

/** Right-shifts with round-half-to-even. */
function roundShift(value: number, shift: number): number {
  const truncated = value >>> shift;
  const remainder = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return remainder > half || (remainder === half && truncated & 1) ? truncated + 1 : truncated;
}

/** Decodes 16 binary16 bits to the number they represent exactly. */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
