/**
 * A historical join the query engine did not answer: the query failed or was cancelled there, or
 * did not finish in time. The API answers it with a problem naming the engine's reason.
 */
export class FeatureJoinError extends Error {
  override name = 'FeatureJoinError';

  constructor(
    readonly outcome: 'failed' | 'cancelled' | 'timed out',
    readonly reason: string,
  ) {
    super(`the point-in-time join ${outcome}: ${reason}`);
  }
}
