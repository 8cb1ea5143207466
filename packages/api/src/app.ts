import { Hono } from 'hono';
import {
  ServingMetrics,
  jsonLogger,
  type Logger,
  type AuditLog,
  type RateLimitLedger,
  type EventPublisher,
  type EventStore,
  type RetrainPorts,
  type ApiKeyStore,
  type ArtifactStore,
  type DatasetObjects,
  type FeatureStore,
  type DatasetRegistry,
  type EndpointStore,
  type GovernanceStore,
  type ModelRegistry,
  type PredictionLogSink,
  type PerformanceScoreStore,
} from '@flywheel/core';
import { auditTrail } from './audit.ts';
import { createAuth } from './auth.ts';
import { routeGuards } from './routes/define-route.ts';
import { auditRoutes } from './routes/audit.ts';
import { handleError, notFound } from './problem.ts';
import { healthRoutes } from './routes/health.ts';
import { keyRoutes } from './routes/keys.ts';
import { endpointRoutes } from './routes/endpoints.ts';
import { modelRoutes, type RegistryRouteOptions } from './routes/models.ts';
import { governanceRoutes } from './routes/model-governance.ts';
import { predictRoutes } from './routes/predict.ts';
import { oipRoutes } from './routes/oip.ts';
import { docsRoutes } from './routes/docs.ts';
import { Serving, type ServingOptions } from './serving/serving.ts';
import { baselineRoutes, type BaselineWriter } from './routes/baselines.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { monitoringRoutes, type MonitoringDependencies } from './routes/monitoring.ts';
import { performanceRoutes } from './routes/performance.ts';
import { eventRoutes } from './routes/events.ts';
import { runRoutes } from './routes/runs.ts';
import { datasetRoutes } from './routes/datasets.ts';
import { lineageRoutes } from './routes/lineage.ts';
import { shadowRoutes } from './routes/shadows.ts';
import { feedbackRoutes, type FeedbackRouteDependencies } from './routes/feedback.ts';
import { experimentRoutes, type ExperimentRouteDependencies } from './routes/experiment.ts';
import { consoleRoutes } from './routes/console.ts';
import { featureViewRoutes } from './routes/feature-views.ts';
import { batchRoutes, type BatchRouteDependencies } from './routes/batch.ts';
import { mlflowRoutes, type TrackingDependencies } from './routes/mlflow/index.ts';
import { erasureRoutes, type ErasureRouteDependencies } from './routes/erasures.ts';

/** The ports the HTTP API needs; AWS implements them in production and locally alike. */
export interface ApiDependencies {
  apiKeys: ApiKeyStore;
  registry: ModelRegistry;
  endpoints: EndpointStore;
  artifacts: ArtifactStore;
  /** Stages, tags and deletion of versions; without it those routes are absent (the edge has none). */
  governance?: GovernanceStore;
  /** Registered training datasets; without it those routes are absent (the edge has none). */
  datasets?: { registry: DatasetRegistry; objects: DatasetObjects };
  /** Where registry and endpoint changes are announced as CloudEvents; without one they are not. */
  events?: EventPublisher;
  /** Where predictions are logged; without one they are not. */
  predictionLog?: PredictionLogSink;
  /** Drift, alerts, baselines and /metrics; without it those routes are absent (the edge has none). */
  monitoring?: MonitoringDependencies & { baselines: BaselineWriter; performanceScores?: Pick<PerformanceScoreStore, 'list'> };
  /** Requests counted in this process for /metrics (fed by the prediction log sink). */
  servingMetrics?: ServingMetrics;
  /** Events and retraining runs; without it those routes are absent (the edge has none). */
  retraining?: { events: EventStore; retrain: RetrainPorts };
  /** Feedback and experiment analysis; without it those routes are absent (the edge has none). */
  feedback?: Omit<FeedbackRouteDependencies, 'endpoints'> & Omit<ExperimentRouteDependencies, 'endpoints'>;
  /** Where every mutating control-plane request is recorded; without one nothing is (the edge changes nothing). */
  audit?: AuditLog;
  /** Shares keys' rate limits between instances; without one each process enforces them alone (the edge). */
  rateLimits?: RateLimitLedger;
  /** Feature views, their online and offline stores; without it those routes are absent and records carry every feature. */
  features?: FeatureStore;
  /** Batch prediction jobs; without them those routes are absent (the edge has none). */
  batch?: BatchRouteDependencies;
  /** Experiment tracking (the MLflow API); without it those routes are absent (the edge has none). */
  tracking?: TrackingDependencies;
  /** Erasure by data subject; without it the routes are absent (the edge has none). */
  erasures?: ErasureRouteDependencies;
}

export interface ApiOptions {
  authCacheTtlMs?: number;
  /** Where the API logs (default: JSON lines on the console); the functions pass Powertools Logger. */
  logger?: Logger;
  serving?: ServingOptions;
  registry?: RegistryRouteOptions;
}

export function createApp(deps: ApiDependencies, options: ApiOptions = {}) {
  return createApiApp(deps, options).app;
}

/** The app and its serving path, for a host that must settle what serving left running (Lambda, before it is frozen). */
export function createApiApp(deps: ApiDependencies, options: ApiOptions = {}) {
  const logger = options.logger ?? jsonLogger;
  const requireScope = createAuth(deps.apiKeys, { cacheTtlMs: options.authCacheTtlMs, rateLimits: deps.rateLimits, logger });
  const audit = deps.audit && auditTrail(deps.audit, { logger });
  const guards = routeGuards(requireScope, audit);
  const app = new Hono();
  app.onError((error, c) => handleError(error, c, logger));
  app.notFound(notFound);
  app.route('/', healthRoutes(guards));
  app.route('/', keyRoutes(deps.apiKeys, guards));
  const serving = new Serving(deps, { logger, ...options.serving });
  app.route('/', modelRoutes(deps, serving, guards, options.registry));
  if (deps.governance) app.route('/', governanceRoutes({ registry: deps.registry, endpoints: deps.endpoints, governance: deps.governance, serving }, guards));
  app.route('/', endpointRoutes(deps, serving, guards));
  app.route('/', predictRoutes(serving, guards));
  app.route('/', oipRoutes(serving, guards));
  if (deps.monitoring) {
    app.route('/', baselineRoutes({ registry: deps.registry, baselines: deps.monitoring.baselines }, serving, guards));
    app.route('/', monitoringRoutes(deps.monitoring, guards));
    app.route('/', shadowRoutes({ windows: deps.monitoring.windows, endpoints: deps.endpoints }, guards));
    app.route('/', performanceRoutes({ windows: deps.monitoring.windows, endpoints: deps.endpoints, registry: deps.registry }, guards));
    app.route('/', metricsRoutes(deps.servingMetrics ?? new ServingMetrics(), deps.monitoring, guards));
  }
  if (deps.retraining) {
    app.route('/', eventRoutes(deps.retraining.events, guards));
    app.route(
      '/',
      runRoutes(
        {
          registry: deps.registry,
          endpoints: deps.endpoints,
          retrain: deps.retraining.retrain,
          ...(deps.datasets ? { datasets: deps.datasets.registry } : {}),
          tracking: deps.tracking?.store,
        },
        guards,
      ),
    );
  }
  if (deps.datasets) app.route('/', datasetRoutes(deps.datasets, guards));
  if (deps.retraining) {
    const { registry, endpoints, apiKeys, audit } = deps;
    app.route(
      '/',
      lineageRoutes(
        { registry, endpoints, retrain: deps.retraining.retrain, apiKeys, ...(deps.datasets ? { datasets: deps.datasets.registry } : {}), ...(audit ? { audit } : {}) },
        guards,
      ),
    );
  }
  if (deps.feedback) {
    app.route('/', feedbackRoutes({ ...deps.feedback, endpoints: deps.endpoints }, guards));
    app.route('/', experimentRoutes({ ...deps.feedback, endpoints: deps.endpoints }, guards));
  }
  if (deps.features) app.route('/', featureViewRoutes(deps.features, serving, guards));
  if (deps.batch) app.route('/', batchRoutes(deps.batch, serving, guards));
  if (deps.tracking) app.route('/', mlflowRoutes(deps.tracking, { registry: deps, serving }, guards));
  app.route('/', consoleRoutes(guards));
  if (deps.audit) app.route('/', auditRoutes(deps.audit, guards));
  if (deps.erasures) app.route('/', erasureRoutes(deps.erasures, guards));
  // Last: the document lists every route mounted before it.
  app.route('/', docsRoutes(guards));
  return { app, serving };
}
