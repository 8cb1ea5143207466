/** A registration of the same bytes is still running elsewhere; retrying shortly is safe. */
export class RegistrationInProgressError extends Error {
  override name = 'RegistrationInProgressError';
}

/** The bytes being registered were a version that has since been deleted; they are not numbered again. */
export class VersionDeletedError extends Error {
  override name = 'VersionDeletedError';
  constructor(
    readonly model: string,
    readonly version: number,
  ) {
    super(`these bytes were version ${version} of model ${model}, which is deleted`);
  }
}
