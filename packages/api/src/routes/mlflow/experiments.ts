import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { doesNotExist, invalidParameter, searchExperiments, validateKey, type TrackingStore } from '@flywheel/core';
import { keyValueList, maxResults, readParams, requiredString, tagsRecord, viewType } from './request.ts';
import { emptySchema, experimentJson, experimentSchema } from './shapes.ts';
import { mlflowOperation } from './openapi.ts';
import { declareRoutes, type RouteGuards } from '../define-route.ts';

const experimentAnswer = z.object({ experiment: experimentSchema });
const searchAnswer = z.object({ experiments: z.array(experimentSchema), next_page_token: z.string().optional() });

const MAX_NAME_LENGTH = 500;

const experimentId = z.object({ experiment_id: requiredString });
const createBody = z.object({ name: requiredString.max(MAX_NAME_LENGTH), artifact_location: z.string().optional(), tags: keyValueList });
const byNameQuery = z.object({ experiment_name: requiredString });
const updateBody = experimentId.extend({ new_name: requiredString.max(MAX_NAME_LENGTH) });
const tagBody = experimentId.extend({ key: z.string(), value: z.string().default('') });
const searchBody = z.object({
  max_results: maxResults(1000, 50_000),
  page_token: z.string().optional(),
  filter: z.string().optional(),
  order_by: z.array(z.string()).optional(),
  view_type: viewType,
});

/** experiments/create, get, get-by-name, search, update, delete, restore, set-experiment-tag. */
export function experimentRoutes(store: TrackingStore, guards: RouteGuards, now: () => number) {
  const existing = async (id: string) => (await store.getExperiment(id)) ?? Promise.reject(doesNotExist(`No Experiment with id=${id} exists`));
  const search = async (c: Context) => {
    const params = await readParams(c, searchBody);
    const page = searchExperiments(await store.listExperiments(), {
      filter: params.filter,
      orderBy: params.order_by,
      maxResults: params.max_results,
      pageToken: params.page_token,
      viewType: params.view_type,
    });
    return c.json({ experiments: page.items.map(experimentJson), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) });
  };
  return declareRoutes(new Hono(), guards)
    .route(
      mlflowOperation('deploy', 'post', 'experiments/create', 'Create an experiment {name, artifact_location?, tags?}', createBody, z.object({ experiment_id: z.string() }), {
        audited: true,
      }),
      async (c) => {
        const params = await readParams(c, createBody);
        for (const tag of params.tags) validateKey('tag', tag.key);
        const experiment = await store.createExperiment({ name: params.name, artifactLocation: params.artifact_location || undefined, tags: tagsRecord(params.tags) }, now());
        return c.json({ experiment_id: experiment.experimentId });
      },
    )
    .route(mlflowOperation('read', 'get', 'experiments/get', 'An experiment by experiment_id', experimentId, experimentAnswer), async (c) => {
      const { experiment_id } = await readParams(c, experimentId);
      return c.json({ experiment: experimentJson(await existing(experiment_id)) });
    })
    .route(mlflowOperation('read', 'get', 'experiments/get-by-name', 'An experiment by experiment_name', byNameQuery, experimentAnswer), async (c) => {
      const { experiment_name } = await readParams(c, byNameQuery);
      const experiment = await store.getExperimentByName(experiment_name);
      if (!experiment) throw doesNotExist(`Could not find experiment with name '${experiment_name}'`);
      return c.json({ experiment: experimentJson(experiment) });
    })
    .route(
      mlflowOperation('read', 'post', 'experiments/search', 'Search experiments {filter?, order_by?, max_results?, page_token?, view_type?}', searchBody, searchAnswer),
      search,
    )
    .route(mlflowOperation('read', 'get', 'experiments/search', 'Search experiments (query parameters)', searchBody, searchAnswer), search)
    .route(mlflowOperation('deploy', 'post', 'experiments/update', 'Rename an experiment {experiment_id, new_name}', updateBody, emptySchema, { audited: true }), async (c) => {
      const params = await readParams(c, updateBody);
      const experiment = await existing(params.experiment_id);
      if (experiment.lifecycleStage !== 'active') throw invalidParameter(`Cannot rename a non-active experiment ${params.experiment_id}.`);
      await store.renameExperiment(params.experiment_id, params.new_name, now());
      return c.json({});
    })
    .route(mlflowOperation('deploy', 'post', 'experiments/delete', 'Delete an experiment (restorable)', experimentId, emptySchema, { audited: true }), async (c) => {
      const { experiment_id } = await readParams(c, experimentId);
      await store.updateExperiment(experiment_id, (experiment) => ({ ...experiment, lifecycleStage: 'deleted', lastUpdateTime: now() }));
      return c.json({});
    })
    .route(mlflowOperation('deploy', 'post', 'experiments/restore', 'Restore a deleted experiment', experimentId, emptySchema, { audited: true }), async (c) => {
      const { experiment_id } = await readParams(c, experimentId);
      await store.updateExperiment(experiment_id, (experiment) => ({ ...experiment, lifecycleStage: 'active', lastUpdateTime: now() }));
      return c.json({});
    })
    .route(mlflowOperation('deploy', 'post', 'experiments/set-experiment-tag', 'Set a tag on an experiment', tagBody, emptySchema, { audited: true }), async (c) => {
      const params = await readParams(c, tagBody);
      const key = validateKey('tag', params.key);
      await store.updateExperiment(params.experiment_id, (experiment) => {
        if (experiment.lifecycleStage !== 'active')
          throw invalidParameter(`The experiment ${experiment.experimentId} must be in the 'active' state. Current state is ${experiment.lifecycleStage}.`);
        return { ...experiment, tags: { ...experiment.tags, [key]: params.value }, lastUpdateTime: now() };
      });
      return c.json({});
    }).app;
}
