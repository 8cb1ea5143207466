/**
 * What guardrails remember of an endpoint between looks. The always-valid p-value is a running
 * minimum over the looks of one step: it must continue from the previous look, and start afresh
 * when a new step begins (its evidence is new traffic).
 */
export interface GuardrailState {
  /** The config version the step last looked at began with. */
  readonly stepStartedAt: number;
  /** `numbers.sequentialPValue` of that step's latest look; absent before its first. */
  readonly sequentialPValue?: number;
  /** The newest guardrail-written config version whose rollout event has been published. */
  readonly announced?: number;
}

export interface StoredGuardrailState {
  /** Absent when nothing is stored yet. */
  readonly state?: GuardrailState;
  /** 0 when nothing is stored yet. */
  readonly revision: number;
}

export interface GuardrailStateStore {
  read(endpoint: string): Promise<StoredGuardrailState>;
  /** Writes if the stored revision is still `expectedRevision`; false when someone wrote first. */
  write(endpoint: string, state: GuardrailState, expectedRevision: number): Promise<boolean>;
}
