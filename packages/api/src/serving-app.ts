import { Hono } from 'hono';
import type { ApiDependencies } from './app.ts';
import { createAuth } from './auth.ts';
import { handleError, notFound } from './problem.ts';
import { predictRoutes } from './routes/predict.ts';
import { Serving, type ServingOptions } from './serving/serving.ts';

/** What the predict path needs: keys, the registry, endpoint configs, artifacts and the log. */
export type ServingAppDependencies = Pick<ApiDependencies, 'apiKeys' | 'registry' | 'endpoints' | 'artifacts' | 'predictionLog'>;

export interface ServingAppOptions {
  authCacheTtlMs?: number;
  serving?: ServingOptions;
}

/**
 * Only `POST /v1/endpoints/{endpoint}/predict`, with the same routes, auth and caches as the full
 * API: what Lambda@Edge runs next to callers, where the rest of the API has no business.
 */
export function createServingApp(deps: ServingAppDependencies, options: ServingAppOptions = {}) {
  const requireScope = createAuth(deps.apiKeys, { cacheTtlMs: options.authCacheTtlMs });
  const app = new Hono();
  app.onError(handleError);
  app.notFound(notFound);
  app.route('/', predictRoutes(new Serving(deps, options.serving), requireScope));
  return app;
}
