import { Hono } from 'hono';
import type { RegisteredModelStore, TrackingArtifacts, TrackingStore } from '@flywheel/core';
import type { RouteGuards } from '../define-route.ts';
import { limitBody } from '../../serving/limits.ts';
import { artifactRoutes } from './artifacts.ts';
import { endpointNotFound, handleMlflowError } from './errors.ts';
import { experimentRoutes } from './experiments.ts';
import { registeredModelRoutes } from './registered-models.ts';
import type { Serving } from '../../serving/serving.ts';
import type { RegistryDependencies } from '../models.ts';
import { trackingRunRoutes } from './runs.ts';

/** A full log-batch (1000 entries of long values) fits; anything much larger is not a tracking call. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

export interface TrackingDependencies {
  store: TrackingStore;
  artifacts: TrackingArtifacts;
  registeredModels: RegisteredModelStore;
}

export interface MlflowRouteOptions {
  now?: () => number;
  newRunId?: () => string;
}

/** MLflow's tracking REST API 2.0 under /api/2.0/mlflow/, answering in MLflow's JSON and error shapes. */
export function mlflowRoutes(deps: TrackingDependencies, registry: { registry: RegistryDependencies; serving: Serving }, guards: RouteGuards, options: MlflowRouteOptions = {}) {
  const now = options.now ?? (() => Date.now());
  const newRunId = options.newRunId ?? (() => crypto.randomUUID().replaceAll('-', ''));
  const app = new Hono();
  app.onError((error, c) => handleMlflowError(error, c, registry.serving.logger));
  app.use('/api/2.0/mlflow/*', limitBody(MAX_BODY_BYTES));
  app.route('/', experimentRoutes(deps.store, guards, now));
  app.route('/', trackingRunRoutes(deps.store, guards, { now, newRunId }));
  app.route('/', artifactRoutes(deps.store, deps.artifacts, guards));
  app.route('/', registeredModelRoutes({ ...registry, tracking: deps.store, artifacts: deps.artifacts, records: deps.registeredModels }, guards));
  app.all('/api/2.0/mlflow/*', endpointNotFound);
  return app;
}
