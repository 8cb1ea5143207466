import type { Row } from './column-spec.ts';
import type { ReferenceProfile } from './reference-profile.ts';

/** A monitored input column as the registry describes features (categories may be numbers there). */
export interface BaselineFeature {
  readonly name: string;
  readonly kind: 'numerical' | 'categorical';
  readonly categories?: readonly (string | number)[];
}

/**
 * The baseline port: reference profiles of model versions, stored when a baseline is uploaded or
 * a run registers a version, read by monitoring (the AWS store keeps `baselines/<model>/<version>/profile.json`).
 */
export interface BaselineStore {
  get(model: string, version: number): Promise<ReferenceProfile | undefined>;
  /**
   * Builds the reference profile of a version's baseline and stores it, replacing any earlier one.
   * `outputs` are the model's outputs on the same records, one per record; with them predictions
   * are monitored for drift too. Throws `InvalidBaselineError` when the baseline cannot be profiled.
   */
  storeReferenceProfile(
    model: string,
    version: number,
    features: readonly BaselineFeature[],
    outputs: readonly Row[] | undefined,
    records: readonly Row[],
  ): Promise<ReferenceProfile>;
}

/** What monitoring reads of the baseline port. */
export type ProfileSource = Pick<BaselineStore, 'get'>;
