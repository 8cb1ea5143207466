import type { EndpointConfig } from '../routing/endpoint-config.ts';
import type { EndpointRecord } from '../registry/endpoint.ts';

/**
 * What makes a step of a canary: who serves (variants, their targets and weights) and how it is
 * judged. Config versions that only change anything else (logging, shadows, retraining) continue
 * the step; any change to these — a guardrail's or a person's — starts a new one.
 */
function stepKey(config: EndpointConfig): string {
  const variants = config.variants.map(({ name, model, version, alias, weight }) => [name, model, version ?? null, alias ?? null, weight]);
  const judged = config.guardrails && [config.guardrails.metric, config.guardrails.maxDegradation, config.guardrails.alpha];
  return JSON.stringify([variants, judged ?? null]);
}

/**
 * The config version the current step began with, from the endpoint's history (newest first, the
 * current version first): the oldest of the unbroken run of versions that share its step. A
 * history cut short by paging gives the oldest version seen, which only shortens the step.
 */
export function stepStart(history: readonly EndpointRecord[]): EndpointRecord {
  if (history.length === 0) throw new RangeError('an endpoint history has at least its current version');
  const key = stepKey(history[0].config);
  let start = history[0];
  for (const record of history.slice(1)) {
    if (record.configVersion !== start.configVersion - 1 || stepKey(record.config) !== key) break;
    start = record;
  }
  return start;
}
