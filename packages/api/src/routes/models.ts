import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  aliasMovedEvent,
  type EventPublisher,
  modelMetadataSchema,
  matchesFilter,
  stageSchema,
  type ArtifactStore,
  type GovernanceStore,
  type ModelMetadata,
  type ModelRegistry,
  type UploadedPart,
  resourceNameSchema,
} from '@flywheel/core';
import { announce } from '../announce.ts';
import type { AuthVariables } from '../auth.ts';
import { Problem } from '../problem.ts';
import { formatBytes, limitBody } from '../serving/limits.ts';
import type { Serving } from '../serving/serving.ts';
import { MAX_CONFIG_BODY_BYTES, fieldErrors, readJson, readOptionalJson, validate } from '../validation.ts';
import { nameParam, positiveInt } from './path-params.ts';
import { deletedProblem, governedVersion } from './model-governance.ts';
import { prefixed, registerOnnx } from './register-onnx.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { json, ok, params, positiveIntSchema, problems } from './openapi.ts';
import { resolvedTrainParamsSchema } from './runs.ts';

export interface RegistryRouteOptions {
  /**
   * Largest model accepted in a request body (raw or multipart). Default 64 MiB. A Lambda
   * request carries at most 6 MB, so in AWS larger artifacts go through a presigned upload.
   */
  maxModelBytes?: number;
  /** Largest presigned upload that registration reads. Default 1 GiB. */
  maxUploadBytes?: number;
  /** How long an upload URL stays valid. Default 15 minutes. */
  uploadExpiresInSeconds?: number;
}

export const METADATA_HEADER = 'flywheel-metadata';
/** Metadata is stored with the version record, whose item must stay well under DynamoDB's 400 KB. */
const MAX_METADATA_CHARS = 200_000;

export const registerFromUploadSchema = z
  .strictObject({
    artifactKey: z.string().min(1).max(1024),
    /** A multipart upload's id and the parts its PUTs answered, to assemble it from. */
    uploadId: z.string().min(1).max(1024).optional(),
    parts: z
      .array(z.strictObject({ partNumber: z.int().min(1).max(10_000), etag: z.string().min(1).max(256) }))
      .min(1)
      .max(10_000)
      .optional(),
    metadata: z.unknown().optional(),
  })
  .refine((body) => (body.uploadId === undefined) === (body.parts === undefined), {
    path: ['parts'],
    message: 'uploadId and parts go together: the parts of that multipart upload',
  });

export const createUploadSchema = z.strictObject({
  /** The artifact's size: past one part (8 MiB), the upload is multipart, with a URL per part. */
  sizeBytes: z.int().min(1).optional(),
});

export const aliasBodySchema = z.strictObject({ version: z.int().min(1), reason: z.string().trim().min(1).max(1000).optional() });

/** The lineage a retraining run registers its version with (`Lineage` in @flywheel/core). */
export const trainedLineageSchema = z.strictObject({
  runId: z.string(),
  dataset: z.strictObject({ name: z.string(), version: z.int(), sha256: z.string() }).optional().describe('The registered dataset version it was trained on'),
  manifestSha256: z.string(),
  rows: z.int(),
  timeRange: z.strictObject({ from: z.string(), to: z.string() }),
  params: resolvedTrainParamsSchema,
  metrics: z.record(z.string(), z.record(z.string(), z.number())).describe('On the holdout, by model role (challenger, champion)'),
  parentVersion: z.int().optional(),
  triggeringEventId: z.string().optional(),
});

export const modelVersionSchema = z.object({
  model: z.string(),
  version: z.int(),
  sha256: z.string(),
  sizeBytes: z.int(),
  signature: z.object({
    inputs: z.array(z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.int()).nullable() })),
    outputs: z.array(z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.int()).nullable() })),
  }),
  notes: z.array(z.string()),
  description: z.string().optional(),
  features: modelMetadataSchema.shape.features,
  task: modelMetadataSchema.shape.task,
  lineage: z
    .union([trainedLineageSchema, z.record(z.string(), z.unknown()).describe('As registered: free-form provenance (user data)')])
    .describe("Where the version came from: a retraining run's lineage, or what its registration gave"),
  tags: modelMetadataSchema.shape.tags,
  createdAt: z.string(),
});

export const aliasChangeSchema = z.object({
  model: z.string(),
  alias: z.string(),
  version: z.int(),
  previousVersion: z.int().optional(),
  revision: z.int(),
  changedAt: z.string(),
  actor: z.string().optional(),
  reason: z.string().optional(),
});

export interface RegistryDependencies {
  registry: ModelRegistry;
  artifacts: ArtifactStore;
  /** Where `version.registered` and `alias.moved` go; without it nothing is announced. */
  events?: EventPublisher;
  /** Stages and tags of versions; without it versions show their registration tags and stage none. */
  governance?: GovernanceStore;
}

/** A version as the registry routes answer with it: with its stage, tags and any pending stage change. */
export const governedVersionSchema = modelVersionSchema.extend({
  stage: stageSchema,
  tags: z.record(z.string(), z.string()),
  pendingStage: z.object({ stage: stageSchema, reason: z.string(), requestedBy: z.object({ keyId: z.string(), keyName: z.string() }), requestedAt: z.string() }).optional(),
});

export const modelSearchSchema = z.object({
  tag: z.string().min(1).max(400).optional(),
  stage: stageSchema.optional(),
  q: z.string().min(1).max(200).optional(),
});

/** Registration, versions and aliases (API.md, "Models and versions"). */
export function modelRoutes(deps: RegistryDependencies, serving: Serving, guards: RouteGuards, options: RegistryRouteOptions = {}) {
  const maxModelBytes = options.maxModelBytes ?? 64 * 1024 * 1024;
  const maxUploadBytes = options.maxUploadBytes ?? 1024 * 1024 * 1024;
  const uploadExpiresInSeconds = options.uploadExpiresInSeconds ?? 900;
  const { registry, artifacts } = deps;

  /** Validates bytes and metadata, stores the artifact, then numbers the version (or finds it). */
  async function register(c: Context, model: string, bytes: Uint8Array, rawMetadata: unknown, metadataPath: string) {
    const { version, created } = await registerOnnx(deps, serving, model, bytes, parseMetadata(rawMetadata, metadataPath), metadataPath);
    // Shown as GET shows it: a version registered again may have moved stage or changed tags since.
    const governance = created ? undefined : (await deps.governance?.history(model, version.version))?.[0];
    return c.json(governedVersion(version, governance), created ? 201 : 200, created ? { location: `/v1/models/${model}/versions/${version.version}` } : {});
  }

  /** The model's versions, oldest first, each with its stage and current tags. */
  async function governedVersions(model: string) {
    const [versions, states] = await Promise.all([registry.listVersions(model), deps.governance?.current(model) ?? []]);
    const byVersion = new Map(states.map((state) => [state.version, state]));
    return versions.map((version) => governedVersion(version, byVersion.get(version.version)));
  }

  /** Assembles a multipart upload before it is read; one that cannot be assembled is gone afterwards (aborted). */
  async function completeUpload(model: string, key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void> {
    const completion = await artifacts.completeUpload(model, key, uploadId, parts);
    if (completion.status === 'missing') {
      throw new Problem(400, `No multipart upload ${uploadId} of model ${model} is open at ${key}.`, {
        errors: [{ path: 'uploadId', message: `no open multipart upload of model ${model} with this id at artifactKey; get one from POST /v1/models/${model}/uploads` }],
      });
    }
    if (completion.status === 'invalid') {
      throw new Problem(400, `The parts do not assemble the upload (${completion.reason}); it was aborted, start a new one.`, {
        errors: [{ path: 'parts', message: completion.reason }],
      });
    }
  }

  return declareRoutes(new Hono<{ Variables: AuthVariables }>(), guards)
    .route(
      {
        method: 'post',
        path: '/v1/models/{model}/versions',
        scope: 'deploy',
        audited: true,
        tags: ['models'],
        summary: 'Register a model version',
        description:
          'The raw .onnx bytes (optional metadata in the Flywheel-Metadata header), multipart parts `model` and `metadata`, or JSON {artifactKey, metadata?} after a presigned upload ({artifactKey, uploadId, parts, metadata?} after a multipart one). The same bytes again return the existing version with 200.',
        request: {
          params: params({ model: resourceNameSchema }),
          headers: z.object({ [METADATA_HEADER]: z.string().optional().describe('JSON metadata for a raw upload') }),
          body: {
            content: {
              'application/octet-stream': { schema: z.string().describe('the .onnx bytes') },
              'multipart/form-data': { schema: z.object({ model: z.string().describe('the .onnx file'), metadata: z.string().optional().describe('JSON metadata') }) },
              'application/json': { schema: registerFromUploadSchema },
            },
          },
        },
        responses: {
          201: ok('Registered', modelVersionSchema),
          200: ok('These bytes were already registered as this version', modelVersionSchema),
          ...problems(400, 409, 413, 415, 422),
        },
      },
      limitBody(maxModelBytes, 'Register larger artifacts through POST /v1/models/{model}/uploads.'),
      async (c) => {
        const model = nameParam(c, 'model');
        const type = c.req.header('content-type') ?? '';
        if (type.startsWith('application/octet-stream')) {
          return register(c, model, new Uint8Array(await c.req.arrayBuffer()), metadataHeader(c), `header ${METADATA_HEADER}`);
        }
        if (type.startsWith('multipart/form-data')) {
          const { bytes, metadata } = await multipartModel(c);
          return register(c, model, bytes, metadata, 'metadata');
        }
        if (type.includes('json')) {
          const body = await readJson(c, registerFromUploadSchema);
          if (body.uploadId !== undefined) await completeUpload(model, body.artifactKey, body.uploadId, body.parts!);
          const upload = await artifacts.readUpload(model, body.artifactKey, maxUploadBytes);
          if (upload.status === 'missing') {
            throw new Problem(400, `Nothing was uploaded at ${body.artifactKey} for model ${model}.`, {
              errors: [{ path: 'artifactKey', message: `no upload of model ${model} at this key; get one from POST /v1/models/${model}/uploads` }],
            });
          }
          if (upload.status === 'too-large') {
            throw new Problem(413, `The upload is ${formatBytes(upload.sizeBytes)}; at most ${formatBytes(maxUploadBytes)} can be registered.`);
          }
          const response = await register(c, model, upload.bytes, body.metadata, 'metadata');
          // The artifact now lives under its sha256; the staged copy is garbage either way.
          await artifacts.deleteUpload(body.artifactKey).catch(() => undefined);
          return response;
        }
        throw new Problem(415, 'Send the model as application/octet-stream, as multipart/form-data, or as JSON {artifactKey} after a presigned upload.');
      },
    )
    .route(
      {
        method: 'post',
        path: '/v1/models/{model}/uploads',
        scope: 'deploy',
        audited: true,
        tags: ['models'],
        summary: 'Get a presigned URL (or, for an artifact over 8 MiB, a URL per part) to upload a large artifact to',
        description:
          "Without a body or `sizeBytes` up to one part: one URL; PUT the bytes to uploadUrl, then register with {artifactKey: key}. With a larger `sizeBytes`: a multipart upload; PUT bytes [(n − 1) · partBytes, n · partBytes) to part n's uploadUrl, keep each answer's ETag header, then register with {artifactKey: key, uploadId, parts: [{partNumber, etag}]}. DELETE abortUrl gives an upload up (its parts are deleted); registering with parts that do not assemble it aborts it too.",
        request: { params: params({ model: resourceNameSchema }), body: { content: { 'application/json': { schema: createUploadSchema } }, required: false } },
        responses: {
          201: ok(
            'Where to upload to',
            z.object({
              key: z.string(),
              expiresAt: z.string(),
              method: z.literal('PUT'),
              maxBytes: z.int(),
              uploadUrl: z.string().optional(),
              uploadId: z.string().optional(),
              partBytes: z.int().optional(),
              parts: z.array(z.object({ partNumber: z.int(), uploadUrl: z.string() })).optional(),
              abortUrl: z.string().optional(),
            }),
          ),
          ...problems(400, 413),
        },
      },
      limitBody(MAX_CONFIG_BODY_BYTES),
      async (c) => {
        const model = nameParam(c, 'model');
        // No body, `{}` or `{sizeBytes}`: a body meant for another route is refused, not ignored.
        const { sizeBytes } = await readOptionalJson(c, createUploadSchema);
        if (sizeBytes !== undefined && sizeBytes > maxUploadBytes) {
          throw new Problem(413, `The artifact is ${formatBytes(sizeBytes)}; at most ${formatBytes(maxUploadBytes)} can be registered.`);
        }
        const upload = await artifacts.createUpload(model, { expiresInSeconds: uploadExpiresInSeconds, sizeBytes });
        return c.json({ ...upload, method: 'PUT', maxBytes: maxUploadBytes }, 201);
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/models',
        scope: 'read',
        tags: ['models'],
        summary: 'List models, or search their versions',
        description: 'With tag (`key` or `key:value`), stage or q (text in the name or description), each model lists the versions that match.',
        request: { query: modelSearchSchema },
        responses: {
          200: ok(
            'Every model with its latest version (and, searched, its matching versions)',
            z.object({ models: z.array(z.object({ model: z.string(), latestVersion: z.int(), updatedAt: z.string(), versions: z.array(governedVersionSchema).optional() })) }),
          ),
          ...problems(400),
        },
      },
      async (c) => {
        const filter = validate(modelSearchSchema, c.req.query());
        const names = await registry.listModels();
        if (!filter.tag && !filter.stage && !filter.q) {
          const latest = await Promise.all(names.map((name) => registry.latestVersion(name)));
          const models = latest.flatMap((version) => (version ? [{ model: version.model, latestVersion: version.version, updatedAt: version.createdAt }] : []));
          return c.json({ models });
        }
        // A search reads every version of every model: fine for a registry of hundreds, not millions.
        const models = await Promise.all(
          names.map(async (name) => {
            const versions = (await governedVersions(name)).filter((version) => matchesFilter(version, version, filter));
            const latest = versions.at(-1);
            return latest ? [{ model: name, latestVersion: latest.version, updatedAt: latest.createdAt, versions }] : [];
          }),
        );
        return c.json({ models: models.flat() });
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/models/{model}',
        scope: 'read',
        tags: ['models'],
        summary: 'A model: its versions and aliases',
        request: { params: params({ model: resourceNameSchema }) },
        responses: {
          200: ok('The model', z.object({ model: z.string(), latestVersion: z.int(), versions: z.array(modelVersionSchema), aliases: z.array(aliasChangeSchema) })),
          ...problems(404),
        },
      },
      async (c) => {
        const model = nameParam(c, 'model');
        const [versions, aliases] = await Promise.all([governedVersions(model), registry.listAliases(model)]);
        if (versions.length === 0) throw new Problem(404, `No model ${model}.`);
        return c.json({ model, latestVersion: versions.at(-1)!.version, versions, aliases });
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/models/{model}/versions/{version}',
        scope: 'read',
        tags: ['models'],
        summary: 'A model version',
        request: { params: params({ model: resourceNameSchema, version: positiveIntSchema }) },
        responses: { 200: ok('The version, with its stage and current tags', governedVersionSchema), ...problems(400, 404, 410) },
      },
      async (c) => {
        const model = nameParam(c, 'model');
        const number = positiveInt(c.req.param('version'), 'version');
        const [version, history] = await Promise.all([registry.getVersion(model, number), deps.governance?.history(model, number)]);
        const deleted = history?.[0]?.deleted;
        if (!version && deleted) throw deletedProblem(model, number, deleted);
        if (!version) throw new Problem(404, `Model ${model} has no version ${number}.`);
        return c.json(governedVersion(version, history?.[0]));
      },
    )
    .route(
      {
        method: 'put',
        path: '/v1/models/{model}/aliases/{alias}',
        scope: 'deploy',
        tags: ['models'],
        summary: 'Point an alias at a version',
        request: { params: params({ model: resourceNameSchema, alias: resourceNameSchema }), body: json(aliasBodySchema) },
        responses: { 200: ok('The move, recorded in the alias history', aliasChangeSchema), ...problems(400, 404) },
      },
      limitBody(MAX_CONFIG_BODY_BYTES),
      async (c) => {
        const model = nameParam(c, 'model');
        const alias = nameParam(c, 'alias');
        const { version, reason } = await readJson(c, aliasBodySchema);
        if (!(await registry.getVersion(model, version))) {
          if (!(await registry.latestVersion(model))) throw new Problem(404, `No model ${model}.`);
          throw new Problem(400, `Model ${model} has no version ${version}.`, { errors: [{ path: 'version', message: `model ${model} has no version ${version}` }] });
        }
        const change = await registry.moveAlias(model, alias, version, { at: new Date().toISOString(), actor: c.get('apiKey').id, ...(reason ? { reason } : {}) });
        serving.forgetAlias(model, alias);
        await announce(deps.events, () => aliasMovedEvent({ model, alias, version, previousVersion: change.previousVersion }, { time: change.changedAt }));
        return c.json(change);
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/models/{model}/aliases/{alias}',
        scope: 'read',
        tags: ['models'],
        summary: 'Where an alias points',
        request: { params: params({ model: resourceNameSchema, alias: resourceNameSchema }) },
        responses: { 200: ok('The newest move of the alias', aliasChangeSchema), ...problems(404) },
      },
      async (c) => {
        const model = nameParam(c, 'model');
        const alias = nameParam(c, 'alias');
        const current = await registry.getAlias(model, alias);
        if (!current) throw new Problem(404, `Model ${model} has no alias ${alias}.`);
        return c.json(current);
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/models/{model}/aliases/{alias}/history',
        scope: 'read',
        tags: ['models'],
        summary: 'Every move of an alias, newest first',
        request: { params: params({ model: resourceNameSchema, alias: resourceNameSchema }) },
        responses: { 200: ok('The history', z.object({ model: z.string(), alias: z.string(), history: z.array(aliasChangeSchema) })), ...problems(404) },
      },
      async (c) => {
        const model = nameParam(c, 'model');
        const alias = nameParam(c, 'alias');
        const history = await registry.aliasHistory(model, alias);
        if (history.length === 0) throw new Problem(404, `Model ${model} has no alias ${alias}.`);
        return c.json({ model, alias, history });
      },
    ).app;
}

function parseMetadata(raw: unknown, path: string): ModelMetadata {
  if (raw === undefined) return {};
  if (JSON.stringify(raw).length > MAX_METADATA_CHARS) {
    throw new Problem(400, `The metadata is larger than ${MAX_METADATA_CHARS} characters.`, { errors: [{ path, message: 'too large' }] });
  }
  const result = modelMetadataSchema.safeParse(raw);
  if (!result.success) {
    throw new Problem(400, 'The metadata does not match the expected schema.', { errors: prefixed(fieldErrors(result.error), path) });
  }
  return result.data;
}

function metadataHeader(c: Context): unknown {
  const header = c.req.header(METADATA_HEADER);
  return header === undefined ? undefined : parseJsonField(header, `header ${METADATA_HEADER}`);
}

async function multipartModel(c: Context): Promise<{ bytes: Uint8Array; metadata: unknown }> {
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch {
    throw new Problem(400, 'The multipart body cannot be read.');
  }
  const model = form.get('model');
  if (!(model instanceof Blob)) {
    throw new Problem(400, 'The multipart body needs a file part named model.', { errors: [{ path: 'model', message: 'must be a file part' }] });
  }
  const metadata = form.get('metadata');
  const text = metadata === null ? undefined : typeof metadata === 'string' ? metadata : await metadata.text();
  return { bytes: new Uint8Array(await model.arrayBuffer()), metadata: text === undefined ? undefined : parseJsonField(text, 'metadata') };
}

function parseJsonField(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Problem(400, `${path} is not valid JSON.`, { errors: [{ path, message: 'must be a JSON object' }] });
  }
}
