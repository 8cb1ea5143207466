import type { Context } from 'hono';
import type { AuthVariables, RequireScope } from '../auth.ts';
import { limitBodyAround } from './limits.ts';
import type { Serving } from './serving.ts';

export type PredictionContext = Context<{ Variables: AuthVariables }>;

/**
 * What every prediction route checks first — a key with the `predict` scope, a body within the
 * serving limit — folded into the route's one handler. Hono dispatches a route that has a single
 * handler without its middleware compose step; on the hottest routes that is worth having.
 */
export function predictionHandler(serving: Serving, requireScope: RequireScope, handle: (c: PredictionContext) => Promise<Response>) {
  const withinLimit = limitBodyAround(serving.maxBodyBytes);
  const limited = (c: PredictionContext) => withinLimit(c, () => handle(c));
  return (c: PredictionContext): Promise<Response> => {
    const authorizing = requireScope.authorize(c, 'predict');
    return authorizing ? authorizing.then(() => limited(c)) : limited(c);
  };
}
