// Typed failures, so the API can map each to its status without parsing messages.

/** The bytes are not a model this runtime can serve (the API answers 422). */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';

  /** Why, in the runtime's own words where it gave any. */
  readonly reason: string;

  constructor(reason: string, options?: ErrorOptions) {
    super(`model cannot be loaded: ${reason}`, options);
    this.reason = reason;
  }
}

export interface InputIssue {
  /** Where in the request body, e.g. `inputs.features[0][2]` or `inputs[1].shape`. */
  path: string;
  message: string;
}

/** A request's inputs do not fit the model's signature (the API answers 400). */
export class InputValidationError extends Error {
  override readonly name = 'InputValidationError';

  readonly errors: readonly InputIssue[];

  constructor(errors: readonly InputIssue[]) {
    super(errors.map((issue) => `${issue.path}: ${issue.message}`).join('; '));
    this.errors = errors;
  }
}

/** The runtime failed while running a model on inputs that matched its signature. */
export class InferenceError extends Error {
  override readonly name = 'InferenceError';

  constructor(reason: string, options?: ErrorOptions) {
    super(`inference failed: ${reason}`, options);
  }
}

/**
 * What the runtime said, without the noise around it: the "Can't create a session. ERROR_CODE: n,"
 * style preamble, and the C++ source location, function and status code some messages start with.
 */
export function runtimeReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const reason = /ERROR_MESSAGE: ([\s\S]*)$/.exec(message)?.[1] ?? message;
  return (
    reason
      .replace(/^\/\S+:\d+ .*?\)\s+/, '')
      .replace(/^\[ONNXRuntimeError\] : \d+ : \w+ : /, '')
      .trim() || message
  );
}
