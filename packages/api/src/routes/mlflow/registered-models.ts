import { Hono } from 'hono';
import { z } from 'zod';
import {
  doesNotExist,
  invalidParameter,
  isResourceName,
  pageOf,
  registryFilter,
  TrackingError,
  initialGovernance,
  type GovernanceRecord,
  type ModelVersion,
  type Stage,
  type RegisteredModelRecord,
  type RegisteredModelStore,
  type TrackingArtifacts,
  type TrackingStore,
} from '@flywheel/core';
import { limitBody } from '../../serving/limits.ts';
import type { Serving } from '../../serving/serving.ts';
import type { RegistryDependencies } from '../models.ts';
import { registerOnnx } from '../register-onnx.ts';
import { keyValueList, maxResults, readParams, requiredString, tagsRecord } from './request.ts';
import { mlflowOperation } from './openapi.ts';
import { modelVersionSchema, registeredModelSchema } from './shapes.ts';
import { declareRoutes, type RouteGuards } from '../define-route.ts';

/** The largest run artifact read for registration; larger models go through Flywheel's presigned upload. */
const MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;

const createModelBody = z.object({ name: requiredString, tags: keyValueList, description: z.string().max(5000).optional() });
const nameQuery = z.object({ name: requiredString });
const searchModelsQuery = z.object({ filter: z.string().optional(), max_results: maxResults(100, 1000), page_token: z.string().optional() });
const latestVersionsBody = z.object({ name: requiredString, stages: z.array(z.string()).optional().default([]) });
const createVersionBody = z.object({
  name: requiredString,
  source: requiredString,
  run_id: z.string().optional(),
  tags: keyValueList,
  description: z.string().max(5000).optional(),
});
const versionQuery = z.object({ name: requiredString, version: requiredString });
const searchVersionsQuery = z.object({ filter: z.string().optional(), max_results: maxResults(1000, 200_000), page_token: z.string().optional() });
const registeredModelAnswer = z.object({ registered_model: registeredModelSchema });
const versionAnswer = z.object({ model_version: modelVersionSchema });

export interface RegisteredModelDependencies {
  registry: RegistryDependencies;
  serving: Serving;
  tracking: TrackingStore;
  artifacts: TrackingArtifacts;
  records: RegisteredModelStore;
}

const keyValues = (record: Readonly<Record<string, string>> | undefined) => Object.entries(record ?? {}).map(([key, value]) => ({ key, value }));

/** Where a Flywheel version's bytes came from, as MLflow's `source`: what it was registered from, else its registry URI. */
function sourceOf(version: ModelVersion): string {
  return typeof version.lineage.source === 'string' ? version.lineage.source : `models:/${version.model}/${version.version}`;
}

/** MLflow's stage names for Flywheel's stages (registry governance). */
const MLFLOW_STAGES: Readonly<Record<Stage, string>> = { none: 'None', staging: 'Staging', production: 'Production', archived: 'Archived' };

/** A Flywheel version as MLflow's ModelVersion, with its governed stage and current tags. */
function modelVersionJson(version: ModelVersion, governance: GovernanceRecord | undefined) {
  const created = Date.parse(version.createdAt);
  const state = governance ?? initialGovernance(version);
  return {
    name: version.model,
    version: String(version.version),
    creation_timestamp: created,
    last_updated_timestamp: governance ? Math.max(created, Date.parse(governance.change.at)) : created,
    current_stage: MLFLOW_STAGES[state.stage],
    description: version.description ?? '',
    source: sourceOf(version),
    run_id: typeof version.lineage.runId === 'string' ? version.lineage.runId : '',
    status: 'READY',
    tags: keyValues(state.tags),
  };
}

function modelName(name: string): string {
  if (!isResourceName(name)) throw invalidParameter(`'${name}' is not a valid Flywheel model name: 1 to 63 letters, digits, '_' or '-', starting with a letter or digit.`);
  return name;
}

/**
 * registered-models/create, get, search, get-latest-versions and model-versions/create, get,
 * search, mapped onto Flywheel's registry: a model version is a Flywheel version (numbered and
 * content-addressed there), one made from a run's ONNX artifact carries the run as its lineage.
 */
export function registeredModelRoutes(deps: RegisteredModelDependencies, guards: RouteGuards) {
  const { registry, governance } = deps.registry;

  /** The model's versions that are not deleted, each with its governance (none without a store). */
  async function governedVersions(model: string): Promise<{ version: ModelVersion; governance?: GovernanceRecord }[]> {
    const [versions, states] = await Promise.all([registry.listVersions(model), governance?.current(model) ?? []]);
    const byVersion = new Map(states.map((state) => [state.version, state]));
    return versions.flatMap((version) => {
      const state = byVersion.get(version.version);
      return state?.deleted ? [] : [{ version, ...(state ? { governance: state } : {}) }];
    });
  }

  async function registeredModelJson(name: string, record: RegisteredModelRecord | undefined) {
    const versions = await governedVersions(name);
    if (!record && versions.length === 0) throw doesNotExist(`Registered Model with name=${name} not found`);
    const first = versions[0] ? Date.parse(versions[0].version.createdAt) : undefined;
    const created = record?.creationTime ?? first ?? 0;
    // MLflow's latest_versions: the newest version in each stage.
    const latest = new Map<string, ReturnType<typeof modelVersionJson>>();
    for (const { version, governance: state } of versions) {
      const json = modelVersionJson(version, state);
      latest.set(json.current_stage, json);
    }
    const latestVersions = [...latest.values()].sort((a, b) => Number(a.version) - Number(b.version));
    return {
      name,
      creation_timestamp: created,
      last_updated_timestamp: Math.max(created, ...latestVersions.map((v) => v.last_updated_timestamp)),
      description: record?.description ?? '',
      latest_versions: latestVersions,
      tags: keyValues(record?.tags),
    };
  }

  /** The ONNX bytes a model-versions/create `source` names: `runs:/<run_id>/<path>`, or an s3:// URI in the Flywheel bucket (a directory is read as its model.onnx). */
  async function artifactBytes(source: string): Promise<{ bytes: Uint8Array; runId?: string }> {
    let root: string;
    let path: string;
    let runId: string | undefined;
    const runUri = /^runs:\/([^/]+)\/?(.*)$/.exec(source);
    if (runUri) {
      runId = runUri[1]!;
      const run = await deps.tracking.getRun(runId);
      if (!run) throw doesNotExist(`Run with id=${runId} not found`);
      root = run.artifactUri;
      path = runUri[2]!;
    } else if (/^s3:\/\/[^/]+\/.+/.test(source)) {
      const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(source)!;
      root = `s3://${bucket}`;
      path = key!;
    } else {
      throw invalidParameter(`The source '${source}' is neither runs:/<run_id>/<path> nor an s3:// URI of the Flywheel bucket.`);
    }
    const candidates = path.endsWith('.onnx') ? [path] : [path, `${path.replace(/\/$/, '')}/model.onnx`];
    for (const candidate of candidates) {
      const bytes = candidate === '' ? undefined : await deps.artifacts.read(root, candidate, MAX_ARTIFACT_BYTES);
      if (bytes) return { bytes, ...(runId ? { runId } : {}) };
    }
    throw doesNotExist(`No ONNX artifact at '${source}' (looked for ${candidates.filter(Boolean).join(' and ')}).`);
  }

  return declareRoutes(new Hono(), guards)
    .route(
      mlflowOperation('deploy', 'post', 'registered-models/create', 'Create a registered model {name, description?, tags?}', createModelBody, registeredModelAnswer, {
        audited: true,
      }),
      async (c) => {
        const params = await readParams(c, createModelBody);
        const name = modelName(params.name);
        const record: RegisteredModelRecord = { name, description: params.description ?? '', tags: tagsRecord(params.tags), creationTime: Date.now() };
        const exists = (await registry.listVersions(name)).length > 0 || !(await deps.records.create(record));
        if (exists) throw new TrackingError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
        return c.json({ registered_model: await registeredModelJson(name, record) });
      },
    )
    .route(mlflowOperation('read', 'get', 'registered-models/get', 'A registered model with its latest version', nameQuery, registeredModelAnswer), async (c) => {
      const { name } = await readParams(c, nameQuery);
      return c.json({ registered_model: await registeredModelJson(name, await deps.records.get(name)) });
    })
    .route(
      mlflowOperation(
        'read',
        'get',
        'registered-models/search',
        "Search registered models {filter? (name LIKE 'x%')}",
        searchModelsQuery,
        z.object({ registered_models: z.array(registeredModelSchema), next_page_token: z.string().optional() }),
      ),
      async (c) => {
        const params = await readParams(c, searchModelsQuery);
        const matches = registryFilter(params.filter, ['name']);
        const records = new Map((await deps.records.list()).map((record) => [record.name, record]));
        const names = [...new Set([...(await registry.listModels()), ...records.keys()])].sort();
        const page = pageOf(
          names.filter((name) => matches({ name }, records.get(name)?.tags ?? {})),
          params.max_results,
          params.page_token,
        );
        const models = await Promise.all(page.items.map((name) => registeredModelJson(name, records.get(name))));
        return c.json({ registered_models: models, ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) });
      },
    )
    .route(
      mlflowOperation(
        'read',
        'post',
        'registered-models/get-latest-versions',
        'The latest version of a registered model',
        latestVersionsBody,
        z.object({ model_versions: z.array(modelVersionSchema) }),
      ),
      async (c) => {
        const params = await readParams(c, latestVersionsBody);
        const model = await registeredModelJson(params.name, await deps.records.get(params.name));
        const wanted = new Set(params.stages.map((stage) => stage.toLowerCase()));
        return c.json({ model_versions: model.latest_versions.filter((v) => wanted.size === 0 || wanted.has(v.current_stage.toLowerCase())) });
      },
    )
    .route(
      mlflowOperation(
        'deploy',
        'post',
        'model-versions/create',
        "Register a run's ONNX artifact {name, source: runs:/<run_id>/<path> or s3://…, run_id?} as a Flywheel version",
        createVersionBody,
        versionAnswer,
        { audited: true },
      ),
      limitBody(64 * 1024),
      async (c) => {
        const params = await readParams(c, createVersionBody);
        const name = modelName(params.name);
        const { bytes, runId: sourceRun } = await artifactBytes(params.source);
        const runId = params.run_id || sourceRun;
        const run = runId ? await deps.tracking.getRun(runId) : undefined;
        if (runId && !run) throw doesNotExist(`Run with id=${runId} not found`);
        const tags = tagsRecord(params.tags);
        const { version } = await registerOnnx(
          deps.registry,
          deps.serving,
          name,
          bytes,
          {
            ...(params.description ? { description: params.description } : {}),
            ...(params.tags.length ? { tags } : {}),
            lineage: { source: params.source, ...(run ? { runId: run.runId, experimentId: run.experimentId } : {}) },
          },
          'tags',
        );
        const state = (await governance?.history(name, version.version))?.[0];
        return c.json({ model_version: modelVersionJson(version, state) });
      },
    )
    .route(mlflowOperation('read', 'get', 'model-versions/get', 'A model version {name, version}', versionQuery, versionAnswer), async (c) => {
      const params = await readParams(c, versionQuery);
      const number = Number(params.version);
      const version = Number.isSafeInteger(number) && number > 0 && isResourceName(params.name) ? await registry.getVersion(params.name, number) : undefined;
      const state = version && (await governance?.history(version.model, version.version))?.[0];
      if (!version || state?.deleted) throw doesNotExist(`Model Version (name=${params.name}, version=${params.version}) not found`);
      return c.json({ model_version: modelVersionJson(version, state) });
    })
    .route(
      mlflowOperation(
        'read',
        'get',
        'model-versions/search',
        "Search model versions {filter? (name = 'm' or run_id = 'r')}",
        searchVersionsQuery,
        z.object({ model_versions: z.array(modelVersionSchema), next_page_token: z.string().optional() }),
      ),
      async (c) => {
        const params = await readParams(c, searchVersionsQuery);
        const matches = registryFilter(params.filter, ['name', 'run_id', 'source', 'version']);
        const versions = (await Promise.all((await registry.listModels()).map(governedVersions))).flat().map(({ version, governance: state }) => modelVersionJson(version, state));
        const found = versions.filter((version) =>
          matches(
            { name: version.name, run_id: version.run_id, source: version.source, version: version.version },
            Object.fromEntries(version.tags.map((tag) => [tag.key, tag.value])),
          ),
        );
        const page = pageOf(found, params.max_results, params.page_token);
        return c.json({ model_versions: page.items, ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) });
      },
    ).app;
}
