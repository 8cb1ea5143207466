import { Hono } from 'hono';
import type { ApiKeyStore } from '@flywheel/core';
import { createAuth } from './auth.ts';
import { handleError, notFound } from './problem.ts';
import { healthRoutes } from './routes/health.ts';
import { keyRoutes } from './routes/keys.ts';

/** The ports the HTTP API needs; AWS implements them in production and locally alike. */
export interface ApiDependencies {
  apiKeys: ApiKeyStore;
}

export interface ApiOptions {
  authCacheTtlMs?: number;
}

export function createApp(deps: ApiDependencies, options: ApiOptions = {}) {
  const requireScope = createAuth(deps.apiKeys, { cacheTtlMs: options.authCacheTtlMs });
  const app = new Hono();
  app.onError(handleError);
  app.notFound(notFound);
  app.route('/', healthRoutes());
  app.route('/', keyRoutes(deps.apiKeys, requireScope));
  return app;
}
