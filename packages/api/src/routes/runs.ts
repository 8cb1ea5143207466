import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  InvalidCursorError,
  TrackingError,
  championVariant,
  datasetRequestSchema,
  describeDataset,
  compareRuns,
  isResourceName,
  randomRunId,
  resourceNameSchema,
  runIdFor,
  signalRetrain,
  trainParamsSchema,
  type DatasetRegistry,
  type EndpointRecord,
  type EndpointStore,
  type ModelRegistry,
  type RetrainPorts,
  type TrackingRun,
  type TrackingStore,
} from '@flywheel/core';
import { Problem } from '../problem.ts';
import { limitBody } from '../serving/limits.ts';
import { validate } from '../validation.ts';
import { nameParam } from './path-params.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { json, ok, params, problems } from './openapi.ts';
import { datasetLabelsSchema } from './datasets.ts';

export interface RunRouteDependencies {
  registry: Pick<ModelRegistry, 'listVersions'>;
  endpoints: Pick<EndpointStore, 'list'>;
  retrain: RetrainPorts;
  /** Where a retrain request's named dataset version is looked up; without it a request cannot name one. */
  datasets?: Pick<DatasetRegistry, 'get'>;
  /** Tracking runs, for comparing a model's runs side by side; without it that listing is absent. */
  tracking?: Pick<TrackingStore, 'getExperimentByName' | 'listRuns'>;
}

const retrainBody = z.strictObject({
  reason: z.string().max(1000).optional(),
  params: trainParamsSchema.optional(),
  /** A registered dataset version to train on instead of the endpoint's logs (repeats a run). */
  dataset: datasetRequestSchema.optional(),
});

const runsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2000).optional(),
});

const compareQuery = z.object({
  model: z.string(),
  order: z.string().min(1).max(250).optional(),
  direction: z.enum(['asc', 'desc']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * A run's training parameters (see the retrain request): the built-in trainer records them resolved,
 * every hyperparameter named; a webhook trainer's are as requested. Open: a trainer may add its own.
 */
export const resolvedTrainParamsSchema = z.looseObject(trainParamsSchema.shape).describe('The training parameters (see the retrain request), resolved');

/** What a run trained on (`RunDataset` in @flywheel/core): the manifest, and the registered version it is. */
const runDatasetSchema = z.strictObject({
  sha256: z.string(),
  rows: z.int(),
  trainRows: z.int().optional().describe('Built-in runs only, like holdoutRows'),
  holdoutRows: z.int().optional(),
  timeRange: z.strictObject({ from: z.string(), to: z.string() }),
  features: z.array(z.string()),
  labels: datasetLabelsSchema,
  featureViews: z
    .array(z.strictObject({ view: z.string(), version: z.int(), entity: z.string(), features: z.array(z.string()), rows: z.int(), matched: z.int() }))
    .optional()
    .describe('Features taken point-in-time from feature views, one entry per view'),
  name: z.string().optional().describe('The registered dataset version (absent on runs recorded before datasets were versioned)'),
  version: z.int().optional(),
});

/** A retraining run as kept (`Run` in @flywheel/core). */
export const runSchema = z.strictObject({
  runId: z.string(),
  model: z.string(),
  endpoint: z.string().optional(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  trigger: z.strictObject({
    kind: z.enum(['drift', 'quality', 'performance', 'labels', 'schedule', 'manual', 'retry']),
    endpoint: z.string().optional(),
    eventId: z.string().optional().describe('The event that caused the run'),
    reason: z.string().optional(),
  }),
  trainer: z.union([z.literal('builtin'), z.strictObject({ webhook: z.string() })]),
  attempts: z.int(),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  params: resolvedTrainParamsSchema.optional(),
  metrics: z
    .strictObject({ challenger: z.record(z.string(), z.number()), champion: z.record(z.string(), z.number()).optional(), primary: z.string(), improvement: z.number().optional() })
    .optional()
    .describe('On the shared holdout, by model role'),
  dataset: runDatasetSchema.optional(),
  code: z.strictObject({ gitSha: z.string(), trainer: z.string() }).optional(),
  parentVersion: z.int().optional(),
  version: z.int().optional(),
  canary: z.strictObject({ started: z.boolean(), reason: z.string() }).optional(),
  error: z.string().optional(),
  timings: z.record(z.string(), z.number()).optional(),
  logs: z.array(z.string()),
});
const startedSchema = z.object({ runId: z.string(), status: z.enum(['queued', 'running', 'succeeded', 'failed']), coalesced: z.literal(true).optional() });
/** One row of the side-by-side comparison (see comparedRun). */
const comparedRunSchema = z.object({
  runId: z.string(),
  runName: z.string(),
  source: z.enum(['builtin', 'tracking-api']),
  status: z.string(),
  startTime: z.string(),
  endTime: z.string().optional(),
  params: z.record(z.string(), z.string()),
  metrics: z.record(z.string(), z.number()),
  dataset: z.object({ name: z.string(), digest: z.string(), source: z.string() }).optional(),
  code: z.object({ gitSha: z.string(), trainer: z.string().optional() }).optional(),
  version: z.int().optional(),
});
const runParams = params({ runId: z.string() });
const modelParams = params({ model: resourceNameSchema });
const tags = ['runs'];

const RUN_ID = /^run-[0-9a-f]{24}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const MAX_BODY_BYTES = 16 * 1024;

/**
 * Retraining runs: `POST /v1/models/{model}/retrain` (scope deploy; idempotent with an
 * `Idempotency-Key`), `POST /v1/runs/{runId}/retry` for a failed run, `GET /v1/runs/{runId}` and
 * `GET /v1/models/{model}/runs` (scope read).
 */
export function runRoutes(deps: RunRouteDependencies, guards: RouteGuards, now: () => Date = () => new Date()) {
  const routes = declareRoutes(new Hono(), guards);
  const { tracking } = deps;
  if (tracking) {
    // A model's runs side by side: built-in retraining runs and runs logged through the MLflow API
    // to the experiment named after the model, best first on `order`.
    routes.route(
      {
        method: 'get',
        path: '/v1/runs',
        scope: 'read',
        tags,
        summary: "A model's runs side by side (built-in and logged through the tracking API), best first on a metric",
        request: { query: compareQuery.extend({ order: compareQuery.shape.order.describe('a metric; best first: descending, ascending for error metrics (rmse, mae, loss…)') }) },
        responses: {
          200: ok(
            'The runs, with every param and metric key any of them has',
            z.object({
              model: z.string(),
              experimentId: z.string().optional(),
              order: z.object({ metric: z.string(), direction: z.enum(['asc', 'desc']) }).optional(),
              columns: z.object({ params: z.array(z.string()), metrics: z.array(z.string()) }),
              runs: z.array(comparedRunSchema),
            }),
          ),
          ...problems(400),
        },
      },
      async (c) => {
        const query = validate(compareQuery, c.req.query());
        const model = nameOf(query.model);
        const experiment = await tracking.getExperimentByName(model);
        const runs = experiment ? await tracking.listRuns([experiment.experimentId]) : [];
        let comparison;
        try {
          comparison = compareRuns(runs, { metric: query.order, direction: query.direction, limit: query.limit });
        } catch (error) {
          if (error instanceof TrackingError) throw new Problem(400, error.message, { errors: [{ path: 'order', message: 'not a metric name' }] });
          throw error;
        }
        return c.json({ model, ...(experiment ? { experimentId: experiment.experimentId } : {}), ...comparison, runs: comparison.runs.map(comparedRun) });
      },
    );
  }
  return routes
    .route(
      {
        method: 'post',
        path: '/v1/models/{model}/retrain',
        scope: 'deploy',
        audited: true,
        tags,
        summary: 'Start a retraining run (idempotent with an Idempotency-Key)',
        description: "Trains on the endpoint's logged predictions, or on `dataset` (a registered version). A run already active for the model answers instead (`coalesced`).",
        request: { params: modelParams, headers: z.object({ 'idempotency-key': z.string().optional() }), body: { ...json(retrainBody), required: false } },
        responses: { 202: ok('The run, queued (or the one already active)', startedSchema), ...problems(400, 404, 409, 413, 415) },
      },
      limitBody(MAX_BODY_BYTES),
      async (c) => {
        const model = nameParam(c, 'model');
        const body = await readOptionalJson(c, retrainBody);
        const key = c.req.header('idempotency-key');
        if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
          throw new Problem(400, 'Idempotency-Key must be 1 to 200 printable characters without spaces.', { errors: [{ path: 'Idempotency-Key', message: 'invalid' }] });
        }
        const runId = key ? await runIdFor(`manual\n${model}\n${key}`) : randomRunId();
        if (key) {
          const replay = await deps.retrain.runs.get(runId);
          if (replay) return c.json({ runId, status: replay.status }, 202);
        }
        if ((await deps.registry.listVersions(model)).length === 0) throw new Problem(404, `No model ${model}.`);
        const params = body.dataset ? validate(trainParamsSchema, { ...body.params, dataset: body.dataset }) : body.params;
        if (body.dataset && !(await deps.datasets?.get(body.dataset.name, body.dataset.version))) {
          throw new Problem(400, `There is no dataset ${describeDataset(body.dataset)}.`, {
            errors: [{ path: 'dataset', message: 'no such dataset version; see GET /v1/datasets' }],
          });
        }
        const endpoint = servingEndpoint(await deps.endpoints.list(), model);
        if (!endpoint) {
          throw new Problem(409, `No endpoint serves model ${model} as its main variant, so there are no logged predictions to retrain it on.`);
        }
        const outcome = await signalRetrain(
          deps.retrain,
          model,
          { kind: 'manual', id: key ? `manual\n${model}\n${key}` : runId, endpoint: endpoint.endpoint, at: now().toISOString() },
          { policy: endpoint.config.retrain, runId, reason: body.reason, params },
        );
        if (outcome.action === 'start') return c.json({ runId: outcome.run.runId, status: outcome.run.status }, 202);
        if (outcome.action === 'ignore' && outcome.activeRunId) {
          const active = await deps.retrain.runs.get(outcome.activeRunId);
          return c.json({ runId: outcome.activeRunId, status: active?.status ?? 'queued', coalesced: true }, 202);
        }
        throw new Error(`a manual retrain was not started: ${JSON.stringify(outcome)}`);
      },
    )
    .route(
      {
        method: 'post',
        path: '/v1/runs/{runId}/retry',
        scope: 'deploy',
        audited: true,
        tags,
        summary: 'Queue a failed run again',
        request: { params: runParams },
        responses: { 202: ok('The run, queued', startedSchema), ...problems(404, 409) },
      },
      async (c) => {
        const run = await findRun(deps, c.req.param('runId'));
        if (run.status !== 'failed') throw new Problem(409, `Run ${run.runId} is ${run.status}; only a failed run can be retried.`);
        const outcome = await signalRetrain(
          deps.retrain,
          run.model,
          { kind: 'retry', id: `retry\n${run.runId}\n${run.attempts}`, ...(run.endpoint ? { endpoint: run.endpoint } : {}), at: now().toISOString() },
          // The run exists: it keeps its trainer, so no policy is needed.
          { runId: run.runId },
        );
        if (outcome.action === 'start') return c.json({ runId: outcome.run.runId, status: outcome.run.status }, 202);
        throw new Problem(409, `Run ${outcome.action === 'ignore' ? outcome.activeRunId : ''} of model ${run.model} is active; retry when it has finished.`);
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/runs/{runId}',
        scope: 'read',
        tags,
        summary: 'A retraining run: status, metrics, dataset, code, logs',
        request: { params: runParams },
        responses: { 200: ok('The run', runSchema), ...problems(404) },
      },
      async (c) => c.json(await findRun(deps, c.req.param('runId'))),
    )
    .route(
      {
        method: 'get',
        path: '/v1/models/{model}/runs',
        scope: 'read',
        tags,
        summary: "A model's retraining runs, newest first, a page at a time",
        request: { params: modelParams, query: runsQuery },
        responses: {
          200: ok('A page of runs; `next` is the cursor of the following one', z.object({ model: z.string(), runs: z.array(runSchema), next: z.string().optional() })),
          ...problems(400),
        },
      },
      async (c) => {
        const model = nameParam(c, 'model');
        const query = validate(runsQuery, c.req.query());
        const page = await deps.retrain.runs.list(model, query).catch((error: unknown) => {
          if (error instanceof InvalidCursorError)
            throw new Problem(400, 'The cursor is not the `next` of an earlier page of these runs.', { errors: [{ path: 'cursor', message: error.message }] });
          throw error;
        });
        return c.json({ model, runs: page.runs, ...(page.next ? { next: page.next } : {}) });
      },
    ).app;
}

function nameOf(model: string): string {
  if (!isResourceName(model)) throw new Problem(400, `${JSON.stringify(model)} is not a valid model name.`, { errors: [{ path: 'model', message: 'must be a model name' }] });
  return model;
}

/** A tracking run as one row of the comparison. */
function comparedRun(run: TrackingRun) {
  const dataset = run.datasets?.[0];
  const version = run.tags['flywheel.version'];
  const gitSha = run.tags['mlflow.source.git.commit'];
  return {
    runId: run.runId,
    runName: run.runName,
    source: run.tags['mlflow.source.name'] === 'flywheel-builtin' ? 'builtin' : 'tracking-api',
    status: run.status,
    startTime: new Date(run.startTime).toISOString(),
    ...(run.endTime !== undefined ? { endTime: new Date(run.endTime).toISOString() } : {}),
    params: run.params,
    metrics: Object.fromEntries(Object.values(run.metrics).map((point) => [point.key, point.value])),
    ...(dataset ? { dataset: { name: dataset.name, digest: dataset.digest, source: dataset.source } } : {}),
    ...(gitSha ? { code: { gitSha, ...(run.tags['flywheel.trainer.version'] ? { trainer: run.tags['flywheel.trainer.version'] } : {}) } } : {}),
    ...(version ? { version: Number(version) } : {}),
  };
}

async function findRun(deps: RunRouteDependencies, runId: string) {
  const run = RUN_ID.test(runId) ? await deps.retrain.runs.get(runId) : undefined;
  if (!run) throw new Problem(404, `No run ${runId}.`);
  return run;
}

/** The endpoint whose main variant serves the model, preferring one with a retraining policy. */
function servingEndpoint(endpoints: readonly EndpointRecord[], model: string): EndpointRecord | undefined {
  const serving = endpoints.filter((record) => championVariant(record.config).model === model);
  return serving.find((record) => record.config.retrain) ?? serving[0];
}

/** The body is optional: none, or JSON matching the schema. */
async function readOptionalJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text();
  if (text.trim() === '') return validate(schema, {});
  if (!(c.req.header('content-type') ?? '').includes('json')) throw new Problem(415, 'Send the body as application/json.');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Problem(400, 'The body is not valid JSON.');
  }
  return validate(schema, json);
}
