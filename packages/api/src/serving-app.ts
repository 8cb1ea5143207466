import { Hono } from 'hono';
import { jsonLogger, type Logger } from '@flywheel/core';
import type { ApiDependencies } from './app.ts';
import { createAuth } from './auth.ts';
import { handleError, notFound } from './problem.ts';
import { routeGuards } from './routes/define-route.ts';
import { predictRoutes } from './routes/predict.ts';
import { Serving, type ServingOptions } from './serving/serving.ts';

/** What the predict path needs: keys, the registry, endpoint configs, artifacts and the log. */
export type ServingAppDependencies = Pick<ApiDependencies, 'apiKeys' | 'registry' | 'endpoints' | 'artifacts' | 'predictionLog'>;

export interface ServingAppOptions {
  authCacheTtlMs?: number;
  /** Where the serving path logs (default: JSON lines on the console). */
  logger?: Logger;
  serving?: ServingOptions;
}

export interface ServingApp {
  app: Hono;
  /** The serving path behind the app, for a function that must settle it before it returns. */
  serving: Serving;
}

/**
 * Only `POST /v1/endpoints/{endpoint}/predict`, with the same routes, auth, caches and serving path
 * (route → run → log → shadows) as the full API: what Lambda@Edge runs next to callers, where the
 * rest of the API has no business.
 */
export function createServingApp(deps: ServingAppDependencies, options: ServingAppOptions = {}): ServingApp {
  const logger = options.logger ?? jsonLogger;
  const requireScope = createAuth(deps.apiKeys, { cacheTtlMs: options.authCacheTtlMs, logger });
  const serving = new Serving(deps, { logger, ...options.serving });
  const app = new Hono();
  app.onError((error, c) => handleError(error, c, logger));
  app.notFound(notFound);
  app.route('/', predictRoutes(serving, routeGuards(requireScope)));
  return { app, serving };
}
