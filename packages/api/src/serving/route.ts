import { describeTarget, type ModelVersion } from '@flywheel/core';
import type { LoadedModel } from '@flywheel/inference';
import { Problem } from '../problem.ts';
import type { ServedEndpoint, ServingCatalog } from './catalog.ts';
import { chooseVariant } from './variant.ts';

/** Where a request goes: the endpoint's config, the variant that answers, its version and session. */
export interface RoutedRequest {
  endpoint: ServedEndpoint;
  variant: string;
  version: ModelVersion;
  model: LoadedModel;
  /** Set when the split did not choose the variant: a forced header, a pinned version, a batch job's version. */
  chosen?: 'forced' | 'pinned' | 'batch';
}

export const FORCED_VARIANT_HEADER = 'flywheel-variant';

export async function servedEndpoint(catalog: ServingCatalog, name: string): Promise<ServedEndpoint> {
  return found(await catalog.endpoint(name), name);
}

function found(endpoint: ServedEndpoint | undefined, name: string): ServedEndpoint {
  if (!endpoint) throw new Problem(404, `No endpoint ${name}.`);
  return endpoint;
}

/** Routes by the endpoint's split (or the forced variant) and loads the answering model. */
export async function routeRequest(catalog: ServingCatalog, name: string, request: { unit?: string; forced?: string }): Promise<RoutedRequest> {
  const endpoint = found(await catalog.endpoint(name), name);
  const variant = chooseVariant(endpoint, request);
  if (!variant) {
    const names = [...endpoint.variants.keys()].join(', ');
    throw new Problem(400, `Endpoint ${name} has no variant ${request.forced}; its variants are ${names}.`, {
      errors: [{ path: `header ${FORCED_VARIANT_HEADER}`, message: `unknown variant; expected one of ${names}` }],
    });
  }
  const version = await catalog.resolve(variant);
  if (!version) throw new Problem(503, `Variant ${variant.name} of endpoint ${name} names ${describeTarget(variant)}, which does not exist.`);
  const routed: RoutedRequest = { endpoint, variant: variant.name, version, model: await catalog.model(version) };
  if (request.forced !== undefined) routed.chosen = 'forced';
  return routed;
}

/**
 * Routes to one version of the endpoint's model, bypassing the split (the Open Inference
 * Protocol's `/versions/{version}` form). Only an endpoint whose variants all serve one model has
 * "its model".
 */
export async function routePinned(catalog: ServingCatalog, name: string, pinned: number): Promise<RoutedRequest> {
  const endpoint = await servedEndpoint(catalog, name);
  const variants = [...endpoint.variants.values()];
  const models = [...new Set(variants.map((variant) => variant.model))];
  if (models.length > 1) {
    throw new Problem(400, `Endpoint ${name} serves several models (${models.join(', ')}), so a version number does not name one; use /v2/models/${name}/infer.`);
  }
  const version = await catalog.version(models[0], pinned);
  if (!version) throw new Problem(404, `Model ${models[0]} of endpoint ${name} has no version ${pinned}.`);
  // Named after a variant currently serving that version, when one is.
  const resolved = await Promise.all(variants.map((variant) => catalog.resolve(variant)));
  const answering = variants.find((_, i) => resolved[i]?.version === pinned);
  return { endpoint, variant: answering?.name ?? `version-${pinned}`, version, model: await catalog.model(version), chosen: 'pinned' };
}

/** The response headers that say who answered. */
export function routingHeaders(routed: RoutedRequest): Record<string, string> {
  return {
    'flywheel-variant': routed.variant,
    'flywheel-model-version': String(routed.version.version),
    'flywheel-config-version': String(routed.endpoint.record.configVersion),
  };
}
