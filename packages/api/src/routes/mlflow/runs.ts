import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  TRACKING_LIMITS,
  deleteTag,
  doesNotExist,
  invalidParameter,
  pageOf,
  runStatuses,
  searchRuns,
  updateRunInfo,
  validateBatch,
  validateKey,
  validateMetric,
  type RunBatch,
  type TrackingRun,
  type TrackingStore,
} from '@flywheel/core';
import { int64, keyValueList, maxResults, readParams, requiredString, runIdFields, runIdOf, tagsRecord, viewType } from './request.ts';
import { emptySchema, metricSchema, runInfoJson, runInfoSchema, runJson, runSchema } from './shapes.ts';
import { mlflowOperation } from './openapi.ts';
import { declareRoutes, type RouteGuards } from '../define-route.ts';

const runAnswer = z.object({ run: runSchema });
const searchAnswer = z.object({ runs: z.array(runSchema), next_page_token: z.string().optional() });

const runId = z.object(runIdFields);
const createBody = z.object({
  experiment_id: requiredString,
  user_id: z.string().optional(),
  run_name: z.string().optional(),
  start_time: int64.optional(),
  tags: keyValueList,
});
const updateBody = z.object({ ...runIdFields, status: z.enum(runStatuses).optional(), end_time: int64.optional(), run_name: z.string().optional() });
const searchBody = z.object({
  experiment_ids: z.array(z.string()).optional().default([]),
  filter: z.string().optional(),
  run_view_type: viewType,
  max_results: maxResults(1000, 50_000),
  order_by: z.array(z.string()).optional(),
  page_token: z.string().optional(),
});
/**
 * A metric point as MLflow's clients send it: int64 fields as numbers or (proto3 JSON) strings,
 * null or absent meaning unset. validateMetric reads them (and refuses what is no finite value or
 * safe integer); the types here refuse only what it refuses too.
 */
const int64Field = z.union([z.int(), z.string()]).nullable().optional();
const metricFields = { key: z.string(), value: z.number().optional(), timestamp: int64Field.describe('Milliseconds since the epoch'), step: int64Field.describe('0 when unset') };
const keyValue = z.object({ key: z.string(), value: z.string() });
const metricBody = z.object({ ...runIdFields, ...metricFields });
const paramBody = z.object({ ...runIdFields, key: z.string(), value: z.string().default('') });
const tagBody = z.object({ ...runIdFields, key: z.string(), value: z.string().default('') });
const batchBody = z.object({
  ...runIdFields,
  metrics: z.array(z.object({ ...metricFields, value: z.number() })).optional(),
  params: z.array(keyValue).optional(),
  tags: z.array(keyValue).optional(),
});
const historyQuery = z.object({ ...runIdFields, metric_key: requiredString, page_token: z.string().optional(), max_results: maxResults(25_000, 25_000) });

export interface TrackingRouteOptions {
  now: () => number;
  newRunId: () => string;
}

/** runs/create, get, update, delete, restore, search, log-metric, log-parameter, log-batch, set-tag, delete-tag; metrics/get-history. */
export function trackingRunRoutes(store: TrackingStore, guards: RouteGuards, options: TrackingRouteOptions) {
  const existing = async (id: string) => (await store.getRun(id)) ?? Promise.reject(doesNotExist(`Run with id=${id} not found`));
  const log = (id: string, batch: RunBatch) => store.logBatch(id, batch);
  const search = async (c: Context) => {
    const params = await readParams(c, searchBody);
    const runs = await store.listRuns(params.experiment_ids);
    const page = searchRuns(runs, {
      filter: params.filter,
      orderBy: params.order_by,
      maxResults: params.max_results,
      pageToken: params.page_token,
      viewType: params.run_view_type,
    });
    return c.json({ runs: page.items.map(runJson), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) });
  };
  return declareRoutes(new Hono(), guards)
    .route(mlflowOperation('deploy', 'post', 'runs/create', 'Create a run {experiment_id, run_name?, start_time?, tags?}', createBody, runAnswer, { audited: true }), async (c) => {
      const params = await readParams(c, createBody);
      const experiment = await store.getExperiment(params.experiment_id);
      if (!experiment) throw doesNotExist(`No Experiment with id=${params.experiment_id} exists`);
      if (experiment.lifecycleStage !== 'active')
        throw invalidParameter(`The experiment ${experiment.experimentId} must be in the 'active' state. Current state is ${experiment.lifecycleStage}.`);
      for (const tag of params.tags) validateKey('tag', tag.key);
      const tags = tagsRecord(params.tags);
      const id = options.newRunId();
      const runName = params.run_name || tags['mlflow.runName'] || `run-${id.slice(0, 8)}`;
      if (runName.length > TRACKING_LIMITS.runNameLength) throw invalidParameter(`A run name may be ${TRACKING_LIMITS.runNameLength} characters at most.`);
      const userId = params.user_id || tags['mlflow.user'] || '';
      const run: TrackingRun = {
        runId: id,
        experimentId: experiment.experimentId,
        runName,
        userId,
        status: 'RUNNING',
        startTime: params.start_time ?? options.now(),
        artifactUri: `${experiment.artifactLocation}/${id}/artifacts`,
        lifecycleStage: 'active',
        params: {},
        tags: { ...tags, 'mlflow.runName': runName, ...(userId ? { 'mlflow.user': userId } : {}) },
        metrics: {},
      };
      return c.json({ run: runJson((await store.createRun(run)).run) });
    })
    .route(mlflowOperation('read', 'get', 'runs/get', 'A run with its params, tags, latest metrics and dataset inputs', runId, runAnswer), async (c) =>
      c.json({ run: runJson(await existing(runIdOf(await readParams(c, runId)))) }),
    )
    .route(
      mlflowOperation('deploy', 'post', 'runs/update', "Set a run's status, end_time or run_name", updateBody, z.object({ run_info: runInfoSchema }), { audited: true }),
      async (c) => {
        const params = await readParams(c, updateBody);
        const run = await store.updateRun(runIdOf(params), (current) =>
          updateRunInfo(current, { status: params.status, endTime: params.end_time, runName: params.run_name || undefined }),
        );
        return c.json({ run_info: runInfoJson(run) });
      },
    )
    .route(mlflowOperation('deploy', 'post', 'runs/delete', 'Delete a run (restorable)', runId, emptySchema, { audited: true }), async (c) => {
      await store.updateRun(runIdOf(await readParams(c, runId)), (run) => ({ ...run, lifecycleStage: 'deleted' }));
      return c.json({});
    })
    .route(mlflowOperation('deploy', 'post', 'runs/restore', 'Restore a deleted run', runId, emptySchema, { audited: true }), async (c) => {
      await store.updateRun(runIdOf(await readParams(c, runId)), (run) => ({ ...run, lifecycleStage: 'active' }));
      return c.json({});
    })
    .route(
      mlflowOperation(
        'read',
        'post',
        'runs/search',
        "Search runs {experiment_ids, filter? (metrics.x > y AND params.p = 'v' AND tags.t = 'v' AND attributes.status = 'FINISHED'), order_by?, max_results?, page_token?, run_view_type?}",
        searchBody,
        searchAnswer,
      ),
      search,
    )
    .route(mlflowOperation('read', 'get', 'runs/search', 'Search runs (query parameters)', searchBody, searchAnswer), search)
    .route(mlflowOperation('deploy', 'post', 'runs/log-metric', 'Log a metric point {run_id, key, value, timestamp, step?}', metricBody, emptySchema), async (c) => {
      const params = await readParams(c, metricBody);
      await log(runIdOf(params), { metrics: [validateMetric(params)] });
      return c.json({});
    })
    .route(mlflowOperation('deploy', 'post', 'runs/log-parameter', 'Log a param {run_id, key, value}; a logged param cannot change', paramBody, emptySchema), async (c) => {
      const params = await readParams(c, paramBody);
      await log(runIdOf(params), validateBatch({ params: [{ key: params.key, value: params.value }] }));
      return c.json({});
    })
    .route(
      mlflowOperation('deploy', 'post', 'runs/log-batch', 'Log metrics, params and tags at once (1000 entries, 100 params, 100 tags at most)', batchBody, emptySchema),
      async (c) => {
        const params = await readParams(c, batchBody);
        await log(runIdOf(params), validateBatch(params));
        return c.json({});
      },
    )
    .route(mlflowOperation('deploy', 'post', 'runs/set-tag', 'Set a run tag', tagBody, emptySchema), async (c) => {
      const params = await readParams(c, tagBody);
      await log(runIdOf(params), validateBatch({ tags: [{ key: params.key, value: params.value }] }));
      return c.json({});
    })
    .route(mlflowOperation('deploy', 'post', 'runs/delete-tag', 'Delete a run tag', tagBody, emptySchema), async (c) => {
      const params = await readParams(c, tagBody);
      await store.updateRun(runIdOf(params), (run) => deleteTag(run, params.key));
      return c.json({});
    })
    .route(
      mlflowOperation(
        'read',
        'get',
        'metrics/get-history',
        "Every logged point of a run's metric {run_id, metric_key}",
        historyQuery,
        z.object({ metrics: z.array(metricSchema), next_page_token: z.string().optional() }),
      ),
      async (c) => {
        const params = await readParams(c, historyQuery);
        const id = runIdOf(params);
        await existing(id);
        const page = pageOf(await store.metricHistory(id, params.metric_key), params.max_results, params.page_token);
        return c.json({ metrics: page.items, ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) });
      },
    ).app;
}
