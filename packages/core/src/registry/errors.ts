/** A registration of the same bytes is still running elsewhere; retrying shortly is safe. */
export class RegistrationInProgressError extends Error {
  override name = 'RegistrationInProgressError';
}
