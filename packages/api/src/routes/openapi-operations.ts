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






  operation(undefined, { method: 'get', path: '/openapi.json', tags: ['docs'], summary: 'This document', responses: { 200: ok('OpenAPI 3.1') } }),
  operation(undefined, { method: 'get', path: '/docs', tags: ['docs'], summary: 'This document as a web page', responses: { 200: { description: 'text/html' } } }),
  ...trackingOperations,
];
