import type { Context } from 'hono';
import type { AuthVariables } from '../auth.ts';
import { limitBodyAround } from './limits.ts';
import type { Serving } from './serving.ts';

export type PredictionContext = Context<{ Variables: AuthVariables }>;

/**
 * What every prediction route checks after the key (which its declaration checks inline) — a body
 * within the serving limit — folded into the route's one handler. Hono dispatches a route that has
 * a single handler without its middleware compose step; on the hottest routes that is worth having.
 */
export function predictionHandler(serving: Serving, handle: (c: PredictionContext) => Promise<Response>) {
  const withinLimit = limitBodyAround(serving.maxBodyBytes);
  return (c: PredictionContext): Promise<Response> => withinLimit(c, () => handle(c));
}
