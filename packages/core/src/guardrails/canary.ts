import type { EndpointConfig, Guardrails, VariantSpec } from '../routing/endpoint-config.ts';

/** A canary under guardrails: the variant judged against, and the one being ramped. */
export interface Canary {
  readonly guardrails: Guardrails;
  readonly control: VariantSpec;
  readonly candidate: VariantSpec;
}

/**
 * The canary an endpoint config runs, or why there is none to judge. Control is the variant named
 * `control`, else the first; the candidate is the one other variant taking part, but not all, of
 * the traffic — after a rollback (0 %) or a full promotion (100 %) there is nothing left to judge.
 */
export function canaryOf(config: EndpointConfig): Canary | { readonly reason: string } {
  const { guardrails, variants } = config;
  if (!guardrails) return { reason: 'the endpoint has no guardrails' };
  if (variants.length < 2) return { reason: 'the endpoint has one variant: there is no canary' };
  const control = variants.find((variant) => variant.name === 'control') ?? variants[0];
  const running = variants.filter((variant) => variant !== control && variant.weight > 0 && variant.weight < 100);
  if (running.length === 0) return { reason: 'no candidate serves part of the traffic: the canary is over or not started' };
  if (running.length > 1) {
    return { reason: `${running.map((v) => v.name).join(', ')} all serve part of the traffic; guardrails judge one candidate at a time` };
  }
  return { guardrails, control, candidate: running[0] };
}
