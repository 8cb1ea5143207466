/**
 * A Lambda entry whose handler is built on the first invocation, not at import: the bundle's
 * import stays cheap (cold start), and a name the deploy did not give fails the invocation that
 * needs it rather than the module's load.
 */
export function builtOnFirstInvocation<E, C, R>(build: () => (event: E, context: C) => R): (event: E, context: C) => R {
  let built: ((event: E, context: C) => R) | undefined;
  return (event, context) => {
    built ??= build();
    return built(event, context);
  };
}
