// The documented operations: each names the zod schemas its route validates with, so the OpenAPI
// document is generated from what the routes enforce. Routes without an entry still appear in
// the document (docs.ts adds them from the router), just without schemas.
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  ErasureRequestSchema,
  MAX_FEEDBACK_ITEMS,
  batchSubmitSchema,
  deleteVersionSchema,
  endpointConfigSchema,
  featureViewDefinitionSchema,
  feedbackItemSchema,
  resourceNameSchema,
  stageChangeSchema,
  stageDecisionSchema,
  stageSchema,
  tagChangeSchema,
  type Scope,
} from '@flywheel/core';
import { aliasBodySchema, aliasChangeSchema, createUploadSchema, METADATA_HEADER, modelSearchSchema, modelVersionSchema, registerFromUploadSchema } from './models.ts';
import { lineageQuerySchema } from './lineage.ts';
import { experimentQuerySchema } from './experiment.ts';
import { auditQuerySchema } from './audit.ts';
import { driftResponseSchema, driftRouteQuerySchema } from './monitoring.ts';
import { performanceQuerySchema, performanceResponseSchema } from './performance.ts';
import { shadowQuerySchema } from './shadows.ts';
import { featureViewRecordSchema, historicalBodySchema, ingestBodySchema, ingestResponseSchema, onlineResponseSchema } from './feature-views.ts';
import { batchJobViewSchema, batchUploadBodySchema } from './batch.ts';
import { trackingOperations } from './mlflow/openapi.ts';
import { json, params, problems } from './openapi.ts';

/**
 * A documented operation, the scope its route requires (none: public), and the Hono path of its
 * route where that is not simply the documented path.
 */
export type Operation = RouteConfig & { 'x-flywheel-scope'?: Scope; route?: string };

const ok = (description: string, schema?: z.ZodType) => ({ description, ...(schema ? json(schema) : {}) });
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





  operation('deploy', {
    method: 'put',
    path: '/v1/feature-views/{view}',
    tags: ['feature store'],
    summary: 'Create or change a feature view {entity, features: [{name, kind}], ttlSeconds?, description?}',
    description: 'Versioned like endpoint configs: changing an existing view needs If-Match with its current ETag (428 without, 412 when stale). Features may be added; the entity key and existing features stay.',
    request: { params: params({ view: resourceNameSchema }), headers: z.object({ 'if-match': z.string().optional(), 'if-none-match': z.string().optional() }), body: json(featureViewDefinitionSchema) },
    responses: { 201: { ...ok('Created', featureViewRecordSchema), headers: endpointHeaders }, 200: { ...ok('Changed', featureViewRecordSchema), headers: endpointHeaders }, ...problems(400, 412, 413, 415, 428) },
  }),
  operation('read', { method: 'get', path: '/v1/feature-views', tags: ['feature store'], summary: 'List feature views', responses: { 200: ok('Every view at its current version', z.object({ views: z.array(featureViewRecordSchema) })) } }),
  operation('read', {
    method: 'get',
    path: '/v1/feature-views/{view}',
    tags: ['feature store'],
    summary: 'A feature view',
    request: { params: params({ view: resourceNameSchema }) },
    responses: { 200: { ...ok('The current version', featureViewRecordSchema), headers: endpointHeaders }, ...problems(404) },
  }),
  operation('read', {
    method: 'get',
    path: '/v1/feature-views/{view}/history',
    tags: ['feature store'],
    summary: 'Every version of a feature view, newest first',
    request: { params: params({ view: resourceNameSchema }), query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional(), before: version.optional() }) },
    responses: { 200: ok('The history', z.object({ view: z.string(), history: z.array(featureViewRecordSchema) })), ...problems(400, 404) },
  }),
  operation('deploy', {
    method: 'post',
    path: '/v1/feature-views/{view}/rows',
    tags: ['feature store'],
    summary: 'Rows in: {rows: [{<entity>, event_time, <feature>: value}]} or NDJSON, one row a line',
    description: 'Idempotent per (entity, event_time): the later send of a time wins. Rows that do not fit the view are refused with reasons and the others kept; when none fits, 400 and nothing is stored.',
    request: { params: params({ view: resourceNameSchema }), body: { content: { 'application/json': { schema: ingestBodySchema }, 'application/x-ndjson': { schema: z.string() } } } },
    responses: { 200: ok('Stored rows and refused ones', ingestResponseSchema), ...problems(400, 404, 413, 415) },
  }),
  operation('read', {
    method: 'get',
    path: '/v1/feature-views/{view}/online/{entityId}',
    tags: ['feature store'],
    summary: 'The latest values of an entity (nulls past the view\'s ttlSeconds)',
    request: { params: params({ view: resourceNameSchema, entityId: z.string() }) },
    responses: { 200: ok('The values', onlineResponseSchema), ...problems(404) },
  }),
  operation('read', {
    method: 'post',
    path: '/v1/feature-views/{view}/historical',
    tags: ['feature store'],
    summary: 'Point-in-time values: each row {<entity>, event_time} with the values of the latest row at or before event_time (within the ttl), nulls otherwise',
    request: { params: params({ view: resourceNameSchema }), body: json(historicalBodySchema) },
    responses: { 200: ok('One answer per row, in order, with feature_event_time', z.object({ view: z.string(), version: z.int(), rows: z.array(z.record(z.string(), z.unknown())) })), ...problems(400, 404, 413, 415) },
  }),

  operation('predict', {
    method: 'post',
    path: '/v1/batch-uploads',
    tags: ['batch'],
    summary: 'A presigned PUT for a batch input larger than a request (NDJSON or CSV)',
    request: { body: json(batchUploadBodySchema) },
    responses: { 201: ok('Where to PUT the input, and the key to submit it by', z.object({ uploadUrl: z.string(), key: z.string(), expiresAt: z.string(), method: z.literal('PUT'), format: z.string() })), ...problems(400) },
  }),
  operation('predict', {
    method: 'post',
    path: '/v1/endpoints/{endpoint}/batch',
    tags: ['batch'],
    summary: 'Start a batch prediction job: the rows scored in parallel chunks with one version, as the online route scores them',
    description: 'Records inline or an uploaded key; `format` ndjson (default) or csv (parquet is refused). The version is fixed now: `version` of the endpoint\'s model, else `variant`\'s, else the largest weight\'s. The same `idempotencyKey` with the same body returns the same job; with another body, 409.',
    request: { params: params({ endpoint }), body: json(batchSubmitSchema) },
    responses: { 202: ok('The job, queued', z.object({ jobId: z.string(), status: z.string() })), ...problems(400, 404, 409, 413) },
  }),
  operation('read', {
    method: 'get',
    path: '/v1/batch-jobs/{jobId}',
    tags: ['batch'],
    summary: 'A batch job: status, rows total/done/failed, when it started and finished, its output and first row errors',
    request: { params: params({ jobId: z.string() }) },
    responses: { 200: ok('The job', batchJobViewSchema), ...problems(404) },
  }),
  operation('predict', {
    method: 'post',
    path: '/v1/batch-jobs/{jobId}/cancel',
    tags: ['batch'],
    summary: 'Cancel a queued or running batch job: chunks not yet scored are skipped',
    request: { params: params({ jobId: z.string() }) },
    responses: { 200: ok('The job, cancelled', batchJobViewSchema), ...problems(404, 409) },
  }),
  operation('read', {
    method: 'get',
    path: '/v1/batch-jobs/{jobId}/output',
    tags: ['batch'],
    summary: 'The output of a succeeded job as NDJSON, in input order: {row, id?, predictionId, outputs} or {row, id?, error}',
    request: { params: params({ jobId: z.string() }) },
    responses: { 200: { description: 'application/x-ndjson' }, ...problems(404, 409) },
  }),
  operation(undefined, { method: 'get', path: '/openapi.json', tags: ['docs'], summary: 'This document', responses: { 200: ok('OpenAPI 3.1') } }),
  operation(undefined, { method: 'get', path: '/docs', tags: ['docs'], summary: 'This document as a web page', responses: { 200: { description: 'text/html' } } }),
  ...trackingOperations,
];
