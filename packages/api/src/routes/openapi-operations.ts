// The documented operations: each names the zod schemas its route validates with, so the OpenAPI
// document is generated from what the routes enforce. Routes without an entry still appear in
// the document (docs.ts adds them from the router), just without schemas.
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import { z } from 'zod';
import { MAX_FEEDBACK_ITEMS, endpointConfigSchema, feedbackItemSchema, resourceNameSchema, type Scope } from '@flywheel/core';
import { endpointViewSchema, rollbackBodySchema } from './endpoints.ts';
import { aliasBodySchema, aliasChangeSchema, createUploadSchema, METADATA_HEADER, modelVersionSchema, registerFromUploadSchema } from './models.ts';
import { KSERVE_V1_ROUTE, kserveV1RequestSchema, oipInferRequestSchema, oipInferResponseSchema, oipModelMetadataSchema } from './oip.ts';
import { experimentQuerySchema } from './experiment.ts';
import { createKeyBodySchema, rotateKeyBodySchema } from './keys.ts';
import { auditQuerySchema } from './audit.ts';
import { driftResponseSchema, driftRouteQuerySchema } from './monitoring.ts';
import { performanceQuerySchema, performanceResponseSchema } from './performance.ts';
import { predictRequestSchema, predictResponseSchema } from './predict.ts';
import { shadowQuerySchema } from './shadows.ts';

/**
 * A documented operation, the scope its route requires (none: public), and the Hono path of its
 * route where that is not simply the documented path.
 */
export type Operation = RouteConfig & { 'x-flywheel-scope'?: Scope; route?: string };

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema?: z.ZodType) => ({ description, ...(schema ? json(schema) : {}) });
const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, { description: 'application/problem+json', content: { 'application/problem+json': { schema: problemSchema } } }]));

const params = <T extends Record<string, z.ZodType>>(shape: T) => z.object(shape);
const model = resourceNameSchema;
const endpoint = resourceNameSchema;
const version = z.coerce.number().int().min(1);

const routingHeaders = {
  'Flywheel-Variant': { description: 'The variant that answered', schema: { type: 'string' as const } },
  'Flywheel-Model-Version': { description: 'The model version that answered', schema: { type: 'integer' as const } },
  'Flywheel-Config-Version': { description: 'The endpoint config version that routed the request', schema: { type: 'integer' as const } },
};

const endpointHeaders = { ETag: { description: 'The config version, for If-Match', schema: { type: 'string' as const } } };

function operation(scope: Scope | undefined, config: RouteConfig, route?: string): Operation {
  return { ...createRoute(config), ...(scope ? { 'x-flywheel-scope': scope, security: [{ bearer: [] }] } : {}), ...(route ? { route } : {}) };
}

export const operations: Operation[] = [
  operation(undefined, { method: 'get', path: '/healthz', tags: ['health'], summary: 'Liveness of the API', responses: { 200: ok('ok', z.object({ status: z.literal('ok') })) } }),

  operation('admin', {
    method: 'post',
    path: '/v1/keys',
    tags: ['keys'],
    summary: 'Create an API key {name, scopes, expiresAt?, resources?, rateLimit?}; the key is shown once',
    request: { body: { content: { 'application/json': { schema: createKeyBodySchema } } } },
    responses: { 201: ok('Created'), ...problems(400, 413, 415) },
  }),
  operation('admin', {
    method: 'post',
    path: '/v1/keys/{id}/rotate',
    tags: ['keys'],
    summary: 'A new secret for a key; the old one stays valid for graceSeconds (default 3600); the new key is shown once',
    request: { params: params({ id: z.string() }), body: { content: { 'application/json': { schema: rotateKeyBodySchema } }, required: false } },
    responses: { 200: ok('Rotated'), ...problems(400, 404, 409) },
  }),
  operation('admin', { method: 'get', path: '/v1/keys', tags: ['keys'], summary: 'List API keys (never the keys themselves)', responses: { 200: ok('Keys') } }),
  operation('admin', {
    method: 'delete',
    path: '/v1/keys/{id}',
    tags: ['keys'],
    summary: 'Revoke an API key',
    request: { params: params({ id: z.string() }) },
    responses: { 200: ok('Revoked'), ...problems(404) },
  }),

  operation('admin', {
    method: 'get',
    path: '/v1/audit',
    tags: ['audit'],
    summary: 'Who changed what: every mutating control-plane request, newest first (no bodies, no secrets)',
    request: { query: auditQuerySchema },
    responses: {
      200: ok(
        'A page of audit records; `next` is the cursor of the following page',
        z.object({
          records: z.array(
            z.object({
              id: z.string(),
              at: z.string(),
              actor: z.object({ keyId: z.string(), keyName: z.string() }),
              method: z.string(),
              path: z.string(),
              resource: z.string().optional(),
              status: z.int(),
              result: z.enum(['ok', 'refused', 'failed']),
              before: z.string().optional(),
              after: z.string().optional(),
            }),
          ),
          next: z.string().optional(),
        }),
      ),
      ...problems(400),
    },
  }),

  operation('deploy', {
    method: 'post',
    path: '/v1/models/{model}/versions',
    tags: ['models'],
    summary: 'Register a model version',
    description:
      'The raw .onnx bytes (optional metadata in the Flywheel-Metadata header), multipart parts `model` and `metadata`, or JSON {artifactKey, metadata?} after a presigned upload ({artifactKey, uploadId, parts, metadata?} after a multipart one). The same bytes again return the existing version with 200.',
    request: {
      params: params({ model }),
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
  }),
  operation('deploy', {
    method: 'post',
    path: '/v1/models/{model}/uploads',
    tags: ['models'],
    summary: 'Get a presigned URL (or, for an artifact over 8 MiB, a URL per part) to upload a large artifact to',
    description:
      'Without a body or `sizeBytes` up to one part: one URL; PUT the bytes to uploadUrl, then register with {artifactKey: key}. With a larger `sizeBytes`: a multipart upload; PUT bytes [(n − 1) · partBytes, n · partBytes) to part n\'s uploadUrl, keep each answer\'s ETag header, then register with {artifactKey: key, uploadId, parts: [{partNumber, etag}]}. DELETE abortUrl gives an upload up (its parts are deleted); registering with parts that do not assemble it aborts it too.',
    request: { params: params({ model }), body: { content: { 'application/json': { schema: createUploadSchema } }, required: false } },
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
  }),
  operation('read', {
    method: 'get',
    path: '/v1/models',
    tags: ['models'],
    summary: 'List models',
    responses: { 200: ok('Every model with its latest version', z.object({ models: z.array(z.object({ model: z.string(), latestVersion: z.int(), updatedAt: z.string() })) })) },
  }),
  operation('read', {
    method: 'get',
    path: '/v1/models/{model}',
    tags: ['models'],
    summary: 'A model: its versions and aliases',
    request: { params: params({ model }) },
    responses: { 200: ok('The model', z.object({ model: z.string(), latestVersion: z.int(), versions: z.array(modelVersionSchema), aliases: z.array(aliasChangeSchema) })), ...problems(404) },
  }),
  operation('read', {
    method: 'get',
    path: '/v1/models/{model}/versions/{version}',
    tags: ['models'],
    summary: 'A model version',
    request: { params: params({ model, version }) },
    responses: { 200: ok('The version', modelVersionSchema), ...problems(400, 404) },
  }),
  operation('deploy', {
    method: 'put',
    path: '/v1/models/{model}/aliases/{alias}',
    tags: ['models'],
    summary: 'Point an alias at a version',
    request: { params: params({ model, alias: resourceNameSchema }), body: json(aliasBodySchema) },
    responses: { 200: ok('The move, recorded in the alias history', aliasChangeSchema), ...problems(400, 404) },
  }),
  operation('read', {
    method: 'get',
    path: '/v1/models/{model}/aliases/{alias}',
    tags: ['models'],
    summary: 'Where an alias points',
    request: { params: params({ model, alias: resourceNameSchema }) },
    responses: { 200: ok('The newest move of the alias', aliasChangeSchema), ...problems(404) },
  }),
  operation('read', {
    method: 'get',
    path: '/v1/models/{model}/aliases/{alias}/history',
    tags: ['models'],
    summary: 'Every move of an alias, newest first',
    request: { params: params({ model, alias: resourceNameSchema }) },
    responses: { 200: ok('The history', z.object({ model: z.string(), alias: z.string(), history: z.array(aliasChangeSchema) })), ...problems(404) },
  }),

  operation('deploy', {
    method: 'put',
    path: '/v1/endpoints/{endpoint}',
    tags: ['endpoints'],
    summary: 'Create or change an endpoint',
    description: 'Changing an existing endpoint needs If-Match with its current ETag (428 without, 412 when stale). Creating one needs none.',
    request: {
      params: params({ endpoint }),
      headers: z.object({ 'if-match': z.string().optional(), 'if-none-match': z.string().optional() }),
      body: json(endpointConfigSchema),
    },
    responses: {
      201: { ...ok('Created', endpointViewSchema), headers: endpointHeaders },
      200: { ...ok('Changed', endpointViewSchema), headers: endpointHeaders },
      ...problems(400, 412, 428),
    },
  }),
  operation('deploy', {
    method: 'post',
    path: '/v1/endpoints/{endpoint}/rollback',
    tags: ['endpoints'],
    summary: 'Restore an earlier config as a new config version',
    request: { params: params({ endpoint }), headers: z.object({ 'if-match': z.string() }), body: json(rollbackBodySchema) },
    responses: { 200: { ...ok('Rolled back', endpointViewSchema), headers: endpointHeaders }, ...problems(400, 404, 412, 428) },
  }),
  operation('read', {
    method: 'get',
    path: '/v1/endpoints',
    tags: ['endpoints'],
    summary: 'List endpoints',
    responses: { 200: ok('Every endpoint at its current config', z.object({ endpoints: z.array(endpointViewSchema) })) },
  }),
  operation('read', {
    method: 'get',
    path: '/v1/endpoints/{endpoint}',
    tags: ['endpoints'],
    summary: 'An endpoint',
    request: { params: params({ endpoint }) },
    responses: { 200: { ...ok('The current config', endpointViewSchema), headers: endpointHeaders }, ...problems(404) },
  }),
  operation('read', {
    method: 'get',
    path: '/v1/endpoints/{endpoint}/history',
    tags: ['endpoints'],
    summary: 'Every config version of an endpoint, newest first',
    request: { params: params({ endpoint }), query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional(), before: version.optional() }) },
    responses: { 200: ok('The history', z.object({ endpoint: z.string(), history: z.array(endpointViewSchema) })), ...problems(400, 404) },
  }),

  operation('predict', {
    method: 'post',
    path: '/v1/endpoints/{endpoint}/predict',
    tags: ['predictions'],
    summary: 'Predict',
    description: 'Tensors (`inputs`) or records named by the version\'s features (`records`). Header Flywheel-Variant forces a variant (scope deploy).',
    request: { params: params({ endpoint }), headers: z.object({ 'flywheel-variant': z.string().optional() }), body: json(predictRequestSchema) },
    responses: { 200: { ...ok('The answering variant\'s outputs', predictResponseSchema), headers: routingHeaders }, ...problems(400, 403, 404, 413, 415) },
  }),
  operation('predict', {
    method: 'post',
    path: '/v1/endpoints/{endpoint}/feedback',
    tags: ['experiments'],
    summary: 'Ground truth and outcomes for earlier predictions',
    description: 'One item or {feedback: [...]} (at most ' + MAX_FEEDBACK_ITEMS + ' items): `id` names a prediction (one value per row, or an array) or a row as <id>/<row>. Safe to repeat: a row counts once.',
    request: { params: params({ endpoint }), body: json(z.union([feedbackItemSchema, z.object({ feedback: z.array(feedbackItemSchema).min(1).max(MAX_FEEDBACK_ITEMS) })])) },
    responses: {
      202: ok('Taken: rows joined to their predictions now, and rows waiting for theirs', z.object({ endpoint: z.string(), accepted: z.int(), rows: z.int(), joined: z.int(), waiting: z.int(), labelled: z.int() })),
      ...problems(400, 404, 413, 415),
    },
  }),
  operation('read', {
    method: 'get',
    path: '/v1/endpoints/{endpoint}/experiment',
    tags: ['experiments'],
    summary: 'The running experiment (or the one a config version belongs to): per-variant counts, rates, tests, SRM and guardrail decisions',
    description: 'Counts what the split assigned: shadows, failed requests, and requests whose variant was forced or pinned are left out.',
    request: { params: params({ endpoint }), query: experimentQuerySchema },
    responses: { 200: ok('The analysis'), ...problems(400, 404) },
  }),
  operation('read', {
    method: 'get',
    path: '/v1/endpoints/{endpoint}/drift',
    tags: ['monitoring'],
    summary: 'Drift per column against the baseline, over whole hours (the last 24 by default, at most 90 days)',
    description: 'With `feature`, adds that column\'s reference and current distribution (`distribution`): shares over about ten bins of equal reference mass for a numerical column, per category (then other, then new categories) for a categorical one. A name the version\'s profile does not have is a 400.',
    request: { params: params({ endpoint }), query: driftRouteQuerySchema },
    responses: { 200: ok('Drift per variant and column, with counts and health', driftResponseSchema), ...problems(400, 404) },
  }),
  operation('read', {
    method: 'get',
    path: '/v1/endpoints/{endpoint}/performance',
    tags: ['monitoring'],
    summary: 'Realized performance from labels and the confidence-based estimate from probabilities, per window and merged, over whole hours (the last 24 by default, at most 90 days)',
    description: 'Per variant and model version: accuracy, precision, recall and AUC (classifiers) or MAE and RMSE (regression) from joined feedback; estimated accuracy, precision, recall and AUC from the predicted probabilities of every served row (CBPE); the version\'s reference (its training holdout metrics).',
    request: { params: params({ endpoint }), query: performanceQuerySchema },
    responses: { 200: ok('Per variant and version: per-window and merged figures, and the reference', performanceResponseSchema), ...problems(400, 404) },
  }),
  operation('read', {
    method: 'get',
    path: '/v1/endpoints/{endpoint}/shadows',
    tags: ['monitoring'],
    summary: 'How each shadow agreed with the variants it mirrored, over whole hours (the last 24 by default, at most 90 days)',
    request: { params: params({ endpoint }), query: shadowQuerySchema },
    responses: { 200: ok('Per shadow and version: rows run, failures, argmax agreement and mean absolute difference'), ...problems(400, 404) },
  }),
  operation('predict', {
    method: 'post',
    path: '/v2/models/{endpoint}/infer',
    tags: ['open inference protocol'],
    summary: 'Infer (KServe V2), routed by the endpoint\'s split',
    request: { params: params({ endpoint }), body: json(oipInferRequestSchema) },
    responses: { 200: { ...ok('Outputs', oipInferResponseSchema), headers: routingHeaders }, ...problems(400, 404, 413) },
  }),
  operation('predict', {
    method: 'post',
    path: '/v2/models/{endpoint}/versions/{version}/infer',
    tags: ['open inference protocol'],
    summary: 'Infer with one version of the endpoint\'s model, bypassing the split',
    request: { params: params({ endpoint, version }), body: json(oipInferRequestSchema) },
    responses: { 200: { ...ok('Outputs', oipInferResponseSchema), headers: routingHeaders }, ...problems(400, 404, 413) },
  }),
  operation('read', {
    method: 'get',
    path: '/v2/models/{endpoint}',
    tags: ['open inference protocol'],
    summary: 'Model metadata of an endpoint',
    request: { params: params({ endpoint }) },
    responses: { 200: ok('Metadata', oipModelMetadataSchema), ...problems(404) },
  }),
  operation('read', {
    method: 'get',
    path: '/v2/models/{endpoint}/versions/{version}',
    tags: ['open inference protocol'],
    summary: 'Model metadata of one version of the endpoint\'s model',
    request: { params: params({ endpoint, version }) },
    responses: { 200: ok('Metadata', oipModelMetadataSchema), ...problems(400, 404) },
  }),
  operation('read', {
    method: 'get',
    path: '/v2/models/{endpoint}/ready',
    tags: ['open inference protocol'],
    summary: 'Whether every variant of the endpoint is loaded and ready',
    request: { params: params({ endpoint }) },
    responses: { 200: ok('Ready', z.object({ name: z.string(), ready: z.boolean() })), ...problems(404, 503) },
  }),
  operation('read', {
    method: 'get',
    path: '/v2/models/{endpoint}/versions/{version}/ready',
    tags: ['open inference protocol'],
    summary: 'Whether one version of the endpoint\'s model is loaded and ready',
    request: { params: params({ endpoint, version }) },
    responses: { 200: ok('Ready', z.object({ name: z.string(), ready: z.boolean() })), ...problems(400, 404, 503) },
  }),
  operation('read', { method: 'get', path: '/v2', tags: ['open inference protocol'], summary: 'Server metadata', responses: { 200: ok('Server', z.object({ name: z.string(), version: z.string(), extensions: z.array(z.string()) })) } }),
  operation(undefined, { method: 'get', path: '/v2/health/live', tags: ['open inference protocol'], summary: 'Server liveness', responses: { 200: ok('Live', z.object({ live: z.boolean() })) } }),
  operation(undefined, { method: 'get', path: '/v2/health/ready', tags: ['open inference protocol'], summary: 'Server readiness', responses: { 200: ok('Ready', z.object({ ready: z.boolean() })) } }),
  operation('predict', {
    method: 'post',
    path: '/v1/models/{endpoint}:predict',
    tags: ['open inference protocol'],
    summary: 'KServe V1 predict for single-input models',
    request: { params: params({ endpoint }), body: json(kserveV1RequestSchema) },
    responses: { 200: { ...ok('One prediction per instance', z.object({ predictions: z.array(z.unknown()) })), headers: routingHeaders }, ...problems(400, 404) },
  }, KSERVE_V1_ROUTE),
  operation(undefined, { method: 'get', path: '/openapi.json', tags: ['docs'], summary: 'This document', responses: { 200: ok('OpenAPI 3.1') } }),
  operation(undefined, { method: 'get', path: '/docs', tags: ['docs'], summary: 'This document as a web page', responses: { 200: { description: 'text/html' } } }),
];
