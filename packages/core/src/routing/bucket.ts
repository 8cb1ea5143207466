import { BUCKETS } from './basis-points.ts';
import { murmur3 } from './murmur3.ts';

// Distinct seeds and key layouts make the shadow draw independent of the split: a unit's
// variant says nothing about whether it is mirrored to a shadow.
const SPLIT_SEED = 0;
const SHADOW_SEED = 0x5eed_5ad0;
// Names and salts cannot contain NUL, so joining with it keeps distinct (salt, unit) pairs distinct.
const SEPARATOR = '\u0000';

/** The unit's bucket 0..9999 on an endpoint: stable for as long as the endpoint keeps its salt. */
export function bucketOf(salt: string, unit: string): number {
  return toBucket(murmur3(salt + SEPARATOR + unit, SPLIT_SEED));
}

/** A bucket for a request without a sticky unit. */
export function randomBucket(random: () => number = Math.random): number {
  return Math.min(BUCKETS - 1, Math.floor(random() * BUCKETS));
}

/**
 * The bucket a request is routed by: its unit's bucket when the endpoint is sticky and the
 * request names a unit, otherwise a fresh random one.
 */
export function requestBucket(salt: string, request: { unit?: string | undefined; sticky: boolean }, random: () => number = Math.random): number {
  return request.sticky && request.unit !== undefined ? bucketOf(salt, request.unit) : randomBucket(random);
}

/**
 * Whether a request is mirrored to a shadow. Keyed by the unit (or, without one, the request id)
 * so a sticky unit is shadowed consistently; `percent` has basis-point resolution.
 */
export function inShadow(salt: string, unitOrRequestId: string, shadowName: string, percent: number): boolean {
  const key = salt + SEPARATOR + shadowName + SEPARATOR + unitOrRequestId;
  return toBucket(murmur3(key, SHADOW_SEED)) < Math.round(percent * 100);
}

// Multiply-shift instead of modulo: uses the well-mixed high bits and is exact in a double
// (hash * 10000 < 2^46).
function toBucket(hash: number): number {
  return Math.floor((hash * BUCKETS) / 2 ** 32);
}
