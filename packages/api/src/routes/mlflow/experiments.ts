import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { doesNotExist, invalidParameter, searchExperiments, validateKey, type TrackingStore } from '@flywheel/core';
import type { RequireScope } from '../../auth.ts';
import { keyValueList, maxResults, readParams, requiredString, tagsRecord, viewType } from './request.ts';
import { experimentJson } from './shapes.ts';

const BASE = '/api/2.0/mlflow/experiments';
const MAX_NAME_LENGTH = 500;

const experimentId = z.object({ experiment_id: requiredString });
const createBody = z.object({ name: requiredString.max(MAX_NAME_LENGTH), artifact_location: z.string().optional(), tags: keyValueList });
const searchBody = z.object({
  max_results: maxResults(1000, 50_000),
  page_token: z.string().optional(),
  filter: z.string().optional(),
  order_by: z.array(z.string()).optional(),
  view_type: viewType,
});

/** experiments/create, get, get-by-name, search, update, delete, restore, set-experiment-tag. */
export function experimentRoutes(store: TrackingStore, requireScope: RequireScope, now: () => number) {
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
  return new Hono()
    .post(`${BASE}/create`, requireScope('deploy'), async (c) => {
      const params = await readParams(c, createBody);
      for (const tag of params.tags) validateKey('tag', tag.key);
      const experiment = await store.createExperiment({ name: params.name, artifactLocation: params.artifact_location || undefined, tags: tagsRecord(params.tags) }, now());
      return c.json({ experiment_id: experiment.experimentId });
    })
    .get(`${BASE}/get`, requireScope('read'), async (c) => {
      const { experiment_id } = await readParams(c, experimentId);
      return c.json({ experiment: experimentJson(await existing(experiment_id)) });
    })
    .get(`${BASE}/get-by-name`, requireScope('read'), async (c) => {
      const { experiment_name } = await readParams(c, z.object({ experiment_name: requiredString }));
      const experiment = await store.getExperimentByName(experiment_name);
      if (!experiment) throw doesNotExist(`Could not find experiment with name '${experiment_name}'`);
      return c.json({ experiment: experimentJson(experiment) });
    })
    .post(`${BASE}/search`, requireScope('read'), search)
    .get(`${BASE}/search`, requireScope('read'), search)
    .post(`${BASE}/update`, requireScope('deploy'), async (c) => {
      const params = await readParams(c, experimentId.extend({ new_name: requiredString.max(MAX_NAME_LENGTH) }));
      const experiment = await existing(params.experiment_id);
      if (experiment.lifecycleStage !== 'active') throw invalidParameter(`Cannot rename a non-active experiment ${params.experiment_id}.`);
      await store.renameExperiment(params.experiment_id, params.new_name, now());
      return c.json({});
    })
    .post(`${BASE}/delete`, requireScope('deploy'), async (c) => {
      const { experiment_id } = await readParams(c, experimentId);
      await store.updateExperiment(experiment_id, (experiment) => ({ ...experiment, lifecycleStage: 'deleted', lastUpdateTime: now() }));
      return c.json({});
    })
    .post(`${BASE}/restore`, requireScope('deploy'), async (c) => {
      const { experiment_id } = await readParams(c, experimentId);
      await store.updateExperiment(experiment_id, (experiment) => ({ ...experiment, lifecycleStage: 'active', lastUpdateTime: now() }));
      return c.json({});
    })
    .post(`${BASE}/set-experiment-tag`, requireScope('deploy'), async (c) => {
      const params = await readParams(c, experimentId.extend({ key: z.string(), value: z.string().default('') }));
      const key = validateKey('tag', params.key);
      await store.updateExperiment(params.experiment_id, (experiment) => {
        if (experiment.lifecycleStage !== 'active') throw invalidParameter(`The experiment ${experiment.experimentId} must be in the 'active' state. Current state is ${experiment.lifecycleStage}.`);
        return { ...experiment, tags: { ...experiment.tags, [key]: params.value }, lastUpdateTime: now() };
      });
      return c.json({});
    });
}
