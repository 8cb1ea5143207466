import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { applyRecordsPlan, predictionRows, resourceNameSchema, rowCount, scopeAllows } from '@flywheel/core';
import { predict, type NestedValue } from '@flywheel/inference';
import type { AuthVariables } from '../auth.ts';
import { Problem } from '../problem.ts';
import { predictionHandler } from '../serving/prediction-route.ts';
import { FORCED_VARIANT_HEADER, routingHeaders, type RoutedRequest } from '../serving/route.ts';
import { MAX_REQUEST_ROWS } from '../serving/limits.ts';
import type { Serving } from '../serving/serving.ts';
import { readJson } from '../validation.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { json, ok, params, problems, tensorValueSchema } from './openapi.ts';

/** Request ids end up in log ids as `<id>/<row>`, so they carry no `/`. */
const REQUEST_ID = /^[\x21-\x2e\x30-\x7e]{1,200}$/;

export const requestIdSchema = z.string().regex(REQUEST_ID, 'must be 1 to 200 printable characters without spaces or "/"');

/** What a row array over the limit is told (zod checks an array's length before its elements). */
export const rowsMessage = `at most ${MAX_REQUEST_ROWS} rows per request; split it into smaller requests`;

export const unitSchema = z.union([z.string().min(1).max(256), z.number()]).transform(String);

export const predictRequestSchema = z
  .strictObject({
    inputs: z.record(z.string(), z.unknown()).optional(),
    records: z.array(z.record(z.string(), z.unknown())).max(MAX_REQUEST_ROWS, rowsMessage).optional(),
    unit: unitSchema.optional(),
    id: requestIdSchema.optional(),
  })
  .refine((body) => (body.inputs === undefined) !== (body.records === undefined), 'send exactly one of inputs or records');

const PREDICT_REQUEST_KEYS = new Set(Object.keys(predictRequestSchema.shape));
const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * True for a body {@link predictRequestSchema} accepts and returns unchanged — the predict path's
 * check, without the schema's cost per request. A numeric `unit` (which the schema turns into a
 * string) and anything invalid get a no, and the schema then runs.
 */
export function isPredictRequest(value: unknown): value is PredictRequest {
  if (!isPlainObject(value)) return false;
  for (const key in value) if (!PREDICT_REQUEST_KEYS.has(key)) return false;
  const { inputs, records, unit, id } = value;
  return (
    (inputs === undefined ? Array.isArray(records) && records.length <= MAX_REQUEST_ROWS && records.every(isPlainObject) : records === undefined && isPlainObject(inputs)) &&
    (unit === undefined || (typeof unit === 'string' && unit.length >= 1 && unit.length <= 256)) &&
    (id === undefined || (typeof id === 'string' && REQUEST_ID.test(id)))
  );
}

export const predictResponseSchema = z.object({
  id: z.string(),
  endpoint: z.string(),
  variant: z.string(),
  model: z.string(),
  version: z.int(),
  outputs: z.record(z.string(), tensorValueSchema).describe('Per output of the model, its tensor as nested arrays'),
});

export type PredictRequest = z.output<typeof predictRequestSchema>;

/** `POST /v1/endpoints/{endpoint}/predict`: tensors or records in, the answering variant's outputs out. */
export function predictRoutes(serving: Serving, guards: RouteGuards) {
  const app = new Hono<{ Variables: AuthVariables }>();
  declareRoutes(app, guards).route(
    {
      method: 'post',
      path: '/v1/endpoints/{endpoint}/predict',
      scope: 'predict',
      tags: ['predictions'],
      summary: 'Predict',
      description: "Tensors (`inputs`) or records named by the version's features (`records`). Header Flywheel-Variant forces a variant (scope deploy).",
      request: { params: params({ endpoint: resourceNameSchema }), headers: z.object({ 'flywheel-variant': z.string().optional() }), body: json(predictRequestSchema) },
      responses: { 200: { ...ok("The answering variant's outputs", predictResponseSchema), headers: routingHeadersDoc }, ...problems(400, 403, 404, 413, 415) },
    },
    predictionHandler(serving, async (c) => {
      const context: PredictContext = { receivedAt: Date.now(), startedAt: performance.now(), forced: forcedVariant(c) };
      const body = await readJson(c, predictRequestSchema, isPredictRequest);
      const { response, headers } = await servePredict(serving, c.req.param('endpoint')!, body, context);
      return jsonResponse(response, headers);
    }),
  );
  return app;
}

/** The headers a prediction's answer names what answered it in. */
export const routingHeadersDoc = {
  'Flywheel-Variant': { description: 'The variant that answered', schema: { type: 'string' as const } },
  'Flywheel-Model-Version': { description: 'The model version that answered', schema: { type: 'integer' as const } },
  'Flywheel-Config-Version': { description: 'The endpoint config version that routed the request', schema: { type: 'integer' as const } },
};

export interface PredictContext {
  /** Date.now() and performance.now() when the request arrived. */
  receivedAt: number;
  startedAt: number;
  /** A variant a `deploy` caller forced. */
  forced?: string;
  /** Already routed by the caller (a batch job's fixed version). */
  routed?: RoutedRequest;
  /** Record fields that are not features: refused (the default: a misspelt feature), or ignored (a table's other columns, in a batch job). */
  unknownFields?: 'refuse' | 'ignore';
}

/** The predict path below HTTP: a validated body in, the response body and routing headers out. */
export async function servePredict(serving: Serving, endpoint: string, body: PredictRequest, context: PredictContext) {
  const requestId = body.id ?? crypto.randomUUID();
  const { routed, result: outputs } = await serving.serve({
    endpoint,
    rows: body.records ? body.records.length : rowCount(body.inputs!),
    unit: body.unit,
    forced: context.forced,
    routed: context.routed,
    requestId,
    receivedAt: context.receivedAt,
    startedAt: context.startedAt,
    records: body.records,
    // The records as filled from feature views: what the model sees, and what the log records.
    plan: (routed, records) => {
      const inputs = records ? recordsInputs(serving, routed, records, context.unknownFields) : body.inputs!;
      return {
        run: (model) => predict(model, inputs),
        rowsOf: (result) => predictionRows({ inputs, records }, result, routed.version),
      };
    },
  });
  const response = { id: requestId, endpoint: routed.endpoint.record.endpoint, variant: routed.variant, model: routed.version.model, version: routed.version.version, outputs };
  return { response, headers: routingHeaders(routed) };
}

/**
 * A JSON response with plain-object headers: c.json() turns several headers into a Headers
 * instance, which takes @hono/node-server off its fast write path.
 */
export function jsonResponse(body: unknown, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json', ...headers } });
}

/** The variant a `deploy` caller asks for by header; other callers may not choose. */
export function forcedVariant(c: Context<{ Variables: AuthVariables }>): string | undefined {
  const forced = c.req.header(FORCED_VARIANT_HEADER);
  if (forced === undefined) return undefined;
  if (!scopeAllows(c.get('apiKey').scopes, 'deploy')) {
    throw new Problem(403, `Forcing a variant with the ${FORCED_VARIANT_HEADER} header needs the \`deploy\` scope.`);
  }
  return forced;
}

function recordsInputs(serving: Serving, routed: RoutedRequest, records: readonly unknown[], unknownFields: 'refuse' | 'ignore' = 'refuse'): Record<string, NestedValue[]> {
  const plan = serving.recordsPlan(routed.version);
  const alsoAllowed = serving.featureLookup?.entityKeysOf(routed.version);
  const result = 'issues' in plan ? plan : applyRecordsPlan(plan, records, { unknownFields, ...(alsoAllowed ? { alsoAllowed } : {}) });
  if ('issues' in result) throw new Problem(400, "The records do not fit the model version's features.", { errors: result.issues });
  return result.inputs as Record<string, NestedValue[]>;
}
