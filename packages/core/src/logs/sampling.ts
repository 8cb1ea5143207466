import { BUCKETS } from '../routing/basis-points.ts';
import { bucketOf } from '../routing/bucket.ts';

/**
 * Whether a request is logged under the endpoint's `percent`. Keyed by the unit when there is one,
 * so a unit is either always or never logged (its history stays whole for joins and per-unit
 * analysis); otherwise by the request id, which keeps a request's rows together. The key space is
 * salted apart from traffic assignment, so being logged says nothing about the variant.
 */
export function isLogged(endpoint: string, percent: number, unitOrRequestId: string): boolean {
  if (percent >= 100) return true;
  if (percent <= 0) return false;
  return bucketOf(`logging:${endpoint}`, unitOrRequestId) < Math.round((percent * BUCKETS) / 100);
}
