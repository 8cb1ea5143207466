import type { RetrainState } from './policy.ts';

/** The retraining state of a model as stored, with the revision a conditional write checks. */
export interface StoredRetrainState {
  readonly state: RetrainState;
  /** 0 when nothing is stored yet. */
  readonly revision: number;
}

export interface RetrainStateStore {
  read(model: string): Promise<StoredRetrainState>;
  /** Writes if the stored revision is still `expectedRevision`; false when someone wrote first. */
  write(model: string, state: RetrainState, expectedRevision: number): Promise<boolean>;
}
