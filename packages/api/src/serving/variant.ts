import { assignVariant, requestBucket, type VariantSpec } from '@flywheel/core';
import type { ServedEndpoint } from './catalog.ts';

/**
 * The variant that answers a request: the one a `deploy` caller forced, else the owner of the
 * request's bucket (its unit's when the endpoint is sticky). Undefined for an unknown forced
 * name. Shadows are drawn separately, so mirroring never changes who answers.
 */
export function chooseVariant(endpoint: ServedEndpoint, request: { unit?: string; forced?: string }): VariantSpec | undefined {
  if (request.forced !== undefined) return endpoint.variants.get(request.forced);
  const { salt, config, allocation } = endpoint.record;
  return endpoint.variants.get(assignVariant(allocation, requestBucket(salt, { unit: request.unit, sticky: config.sticky })));
}
