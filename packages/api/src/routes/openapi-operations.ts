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

  operation('admin', {
    method: 'post',
    path: '/v1/erasures',
    tags: ['erasures'],
    summary:
      'Erase a data subject {subject: {unit?, entity?: {view, id}}, reason}: archive rows, feedback and join items, dataset rows (datasets marked), feature rows; window aggregates keep their counts. The same subject and reason while one runs answers that one',
    request: { body: { content: { 'application/json': { schema: ErasureRequestSchema } } } },
    responses: {
      202: ok('Accepted; worked by the erasure worker', z.object({ erasureId: z.string(), status: z.enum(['queued', 'running', 'succeeded', 'failed']), existing: z.literal(true).optional() })),
      ...problems(400, 413, 415, 422),
    },
  }),
  operation('admin', {
    method: 'get',
    path: '/v1/erasures/{erasureId}',
    tags: ['erasures'],
    summary: 'An erasure: status, progress, and once succeeded the report of what was removed where',
    request: { params: params({ erasureId: z.string() }) },
    responses: { 200: ok('The erasure'), ...problems(404) },
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
