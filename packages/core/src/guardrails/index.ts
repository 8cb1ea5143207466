export { canaryOf, type Canary } from './canary.ts';
export {
  decideGuardrail,
  type GuardrailDecision,
  type GuardrailInput,
  type GuardrailNumbers,
  type GuardrailVerdict,
  type VariantHealth,
} from './decision.ts';
export { stepStart } from './step.ts';
export { healthFromHistogram } from './health.ts';
export { changesWeights, guardrailChange, type WeightChange } from './change.ts';
export type { GuardrailState, GuardrailStateStore, StoredGuardrailState } from './state.ts';
