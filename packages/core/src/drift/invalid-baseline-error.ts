/** The baseline cannot become a reference profile; the message says which column and why. */
export class InvalidBaselineError extends Error {
  override readonly name = 'InvalidBaselineError';
}
