import { InferenceError, InputValidationError } from '@flywheel/inference';
import { Problem } from '../problem.ts';

/** The runtime's typed failures as the client's 400s; anything else stays a server error. */
export function inferenceProblem(error: unknown): Error {
  if (error instanceof InputValidationError) {
    return new Problem(400, 'The inputs do not match the model signature.', { errors: [...error.errors] });
  }
  if (error instanceof InferenceError) return new Problem(400, `The model could not run on these inputs (${error.message}).`);
  return error instanceof Error ? error : new Error(String(error));
}
