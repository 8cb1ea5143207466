import type { GuardrailDecision } from './decision.ts';
import type { EndpointChangeRequest, EndpointRecord } from '../registry/endpoint.ts';
import type { Canary } from './canary.ts';

/** A decision that changes the weights: a rollback or a promotion with the weights to apply. */
export type WeightChange = GuardrailDecision & { readonly action: 'rollback' | 'promote'; readonly nextWeights: NonNullable<GuardrailDecision['nextWeights']> };

export function changesWeights(decision: GuardrailDecision): decision is WeightChange {
  return decision.action !== 'hold' && decision.nextWeights !== undefined;
}

/**
 * The config change a guardrail decision makes: the same config with the decision's weights,
 * recorded as kind `guardrail` with the reason and the numbers behind it. The allocation is
 * derived from the previous one as for any weight change, so a promoted candidate keeps its units.
 */
export function guardrailChange(current: EndpointRecord, canary: Canary, decision: WeightChange, stepStartedAt: number): EndpointChangeRequest {
  const weights = new Map(decision.nextWeights.map(({ name, weight }) => [name, weight]));
  const variants = current.config.variants.map((variant) => ({ ...variant, weight: weights.get(variant.name) ?? variant.weight }));
  const verb = decision.action === 'rollback' ? `rolled back ${canary.candidate.name}` : `promoted ${canary.candidate.name} to ${weights.get(canary.candidate.name)}%`;
  return {
    config: { ...current.config, variants },
    change: {
      kind: 'guardrail',
      reason: `${verb}: ${decision.reason}`,
      actor: 'guardrail',
      decision: {
        action: decision.action,
        verdict: decision.verdict,
        control: canary.control.name,
        candidate: canary.candidate.name,
        stepStartedAt,
        previousWeights: current.config.variants.map(({ name, weight }) => ({ name, weight })),
        numbers: decision.numbers,
      },
    },
  };
}
