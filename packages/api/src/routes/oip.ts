import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { predictionRows, resourceNameSchema, type ModelVersion, type TensorDescription, type TensorRows } from '@flywheel/core';
import { inferOip, predict, type OipTensor } from '@flywheel/inference';
import type { AuthVariables } from '../auth.ts';
import { handleError, notFound, Problem } from '../problem.ts';
import { predictionHandler } from '../serving/prediction-route.ts';
import { routePinned, routingHeaders, servedEndpoint, type RoutedRequest } from '../serving/route.ts';
import type { Serving } from '../serving/serving.ts';
import { readJson } from '../validation.ts';
import { nameParam, positiveInt } from './path-params.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { json, ok, params, positiveIntSchema, problems, tensorElementSchema, tensorValueSchema } from './openapi.ts';
import { forcedVariant, jsonResponse, requestIdSchema, routingHeadersDoc, rowsMessage, unitSchema } from './predict.ts';
import { MAX_REQUEST_ROWS, MAX_REQUEST_TENSORS } from '../serving/limits.ts';

/** Request-level parameters; `unit` is the sticky assignment key, as `unit` is in /v1 predict. */
const parametersSchema = z.looseObject({ unit: unitSchema.optional() });

export const oipInferRequestSchema = z.strictObject({
  id: requestIdSchema.optional(),
  parameters: parametersSchema.optional(),
  inputs: z.array(z.unknown()).min(1).max(MAX_REQUEST_TENSORS),
  outputs: z
    .array(z.strictObject({ name: z.string(), parameters: z.record(z.string(), z.unknown()).optional() }))
    .max(MAX_REQUEST_TENSORS)
    .optional(),
});

const oipTensorSchema = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.int()), data: z.array(tensorElementSchema).describe('The elements, flat, row-major') });

export const oipInferResponseSchema = z.object({
  model_name: z.string(),
  model_version: z.string(),
  id: z.string(),
  parameters: z.looseObject({ unit: z.string().optional() }).optional().describe("The request's parameters, as sent (unit as a string)"),
  outputs: z.array(oipTensorSchema),
});

const tensorMetadataSchema = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.int()) });

export const oipModelMetadataSchema = z.object({
  name: z.string(),
  versions: z.array(z.string()),
  platform: z.literal('onnx_onnxv1'),
  inputs: z.array(tensorMetadataSchema),
  outputs: z.array(tensorMetadataSchema),
});

export const kserveV1RequestSchema = z.strictObject({
  instances: z.array(z.unknown()).min(1).max(MAX_REQUEST_ROWS, rowsMessage),
  parameters: parametersSchema.optional(),
});

/** One prediction per instance: the output's value, or with several outputs an object of them by name. */
export const kserveV1ResponseSchema = z.object({ predictions: z.array(z.union([tensorValueSchema, z.record(z.string(), tensorValueSchema)])) });

export const KSERVE_V1_ROUTE = '/v1/models/:target';

const SERVER = { name: 'flywheel', version: '0.1.0', extensions: [] as string[] };

/**
 * The Open Inference Protocol (KServe V2) with an endpoint as the model, and KServe V1
 * `:predict` for single-input models. Errors stay problem+json, with the protocol's `error`
 * field added so OIP clients find the message where they look for it.
 */
export function oipRoutes(serving: Serving, guards: RouteGuards) {
  const infer = async (c: Context<{ Variables: AuthVariables }>, pinned: number | undefined) => {
    const receivedAt = Date.now();
    const startedAt = performance.now();
    const body = await readJson(c, oipInferRequestSchema);
    const name = nameParam(c, 'endpoint');
    const requestId = body.id ?? crypto.randomUUID();
    const { routed, result: outputs } = await serving.serve({
      endpoint: name,
      rows: Math.max(...body.inputs.map(leadingDim)),
      unit: body.parameters?.unit,
      ...(pinned === undefined ? { forced: forcedVariant(c) } : { pinned }),
      requestId,
      receivedAt,
      startedAt,
      plan: (routed) => ({
        run: (model) => inferOip(model, body),
        rowsOf: (result) => predictionRows({ inputs: tensorRows(body.inputs as OipTensor[]) }, tensorRows(result), routed.version),
      }),
    });
    return jsonResponse(
      {
        model_name: name,
        model_version: String(routed.version.version),
        id: requestId,
        ...(body.parameters ? { parameters: body.parameters } : {}),
        outputs,
      },
      routingHeaders(routed),
    );
  };

  const versionMetadata = (name: string, versions: readonly ModelVersion[], described: ModelVersion) => ({
    name,
    versions: [...new Set(versions.map((version) => String(version.version)))],
    platform: 'onnx_onnxv1' as const,
    inputs: described.signature.inputs.map(tensorMetadata),
    outputs: described.signature.outputs.map(tensorMetadata),
  });

  const app = new Hono<{ Variables: AuthVariables }>();
  app.onError((error, c) => handleError(error instanceof Problem ? withOipError(error) : error, c, serving.logger));
  const { route } = declareRoutes(app, guards);
  const tags = ['open inference protocol'];
  const endpointParams = params({ endpoint: resourceNameSchema });
  const versionParams = params({ endpoint: resourceNameSchema, version: positiveIntSchema });
  const readySchema = z.object({ name: z.string(), ready: z.literal(true) });
  route(
    {
      method: 'get',
      path: '/v2',
      scope: 'read',
      tags,
      summary: 'Server metadata',
      responses: { 200: ok('Server', z.object({ name: z.string(), version: z.string(), extensions: z.array(z.string()) })) },
    },
    (c) => c.json(SERVER),
  );
  route({ method: 'get', path: '/v2/health/live', tags, summary: 'Server liveness', responses: { 200: ok('Live', z.object({ live: z.literal(true) })) } }, (c) =>
    c.json({ live: true }),
  );
  route({ method: 'get', path: '/v2/health/ready', tags, summary: 'Server readiness', responses: { 200: ok('Ready', z.object({ ready: z.literal(true) })) } }, (c) =>
    c.json({ ready: true }),
  );
  route(
    {
      method: 'get',
      path: '/v2/models/{endpoint}',
      scope: 'read',
      tags,
      summary: 'Model metadata of an endpoint',
      request: { params: endpointParams },
      responses: { 200: ok('Metadata', oipModelMetadataSchema), ...problems(404, 503) },
    },
    async (c) => {
      const name = nameParam(c, 'endpoint');
      const versions = await variantVersions(serving, name);
      return c.json(versionMetadata(name, versions, versions[0]));
    },
  );
  route(
    {
      method: 'get',
      path: '/v2/models/{endpoint}/versions/{version}',
      scope: 'read',
      tags,
      summary: "Model metadata of one version of the endpoint's model",
      request: { params: versionParams },
      responses: { 200: ok('Metadata', oipModelMetadataSchema), ...problems(400, 404) },
    },
    async (c) => {
      const name = nameParam(c, 'endpoint');
      const routed = await routePinned(serving, name, positiveInt(c.req.param('version'), 'version'));
      return c.json(versionMetadata(name, [routed.version], routed.version));
    },
  );
  route(
    {
      method: 'get',
      path: '/v2/models/{endpoint}/ready',
      scope: 'read',
      tags,
      summary: 'Whether every variant of the endpoint is loaded and ready',
      request: { params: endpointParams },
      responses: { 200: ok('Ready', readySchema), ...problems(404, 503) },
    },
    async (c) => {
      const name = nameParam(c, 'endpoint');
      const versions = await variantVersions(serving, name);
      await ready(name, Promise.all(versions.map((version) => serving.model(version))));
      return c.json({ name, ready: true });
    },
  );
  route(
    {
      method: 'get',
      path: '/v2/models/{endpoint}/versions/{version}/ready',
      scope: 'read',
      tags,
      summary: "Whether one version of the endpoint's model is loaded and ready",
      request: { params: versionParams },
      responses: { 200: ok('Ready', readySchema), ...problems(400, 404, 503) },
    },
    async (c) => {
      const name = nameParam(c, 'endpoint');
      await ready(name, routePinned(serving, name, positiveInt(c.req.param('version'), 'version')));
      return c.json({ name, ready: true });
    },
  );
  const inferResponses = { 200: { ...ok('Outputs', oipInferResponseSchema), headers: routingHeadersDoc }, ...problems(400, 404, 413, 415) };
  route(
    {
      method: 'post',
      path: '/v2/models/{endpoint}/infer',
      scope: 'predict',
      tags,
      summary: "Infer (KServe V2), routed by the endpoint's split",
      request: { params: endpointParams, body: json(oipInferRequestSchema) },
      responses: inferResponses,
    },
    predictionHandler(serving, (c) => infer(c, undefined)),
  );
  route(
    {
      method: 'post',
      path: '/v2/models/{endpoint}/versions/{version}/infer',
      scope: 'predict',
      tags,
      summary: "Infer with one version of the endpoint's model, bypassing the split",
      request: { params: versionParams, body: json(oipInferRequestSchema) },
      responses: inferResponses,
    },
    predictionHandler(serving, (c) => infer(c, positiveInt(c.req.param('version'), 'version'))),
  );
  // KServe V1 `/v1/models/{endpoint}:predict`: a plain parameter rather than a pattern, since a
  // pattern parameter would push the whole app off Hono's RegExpRouter onto the slower TrieRouter.
  route(
    {
      method: 'post',
      path: '/v1/models/{endpoint}:predict',
      route: KSERVE_V1_ROUTE,
      scope: 'predict',
      tags,
      summary: 'KServe V1 predict for single-input models',
      request: { params: endpointParams, body: json(kserveV1RequestSchema) },
      responses: { 200: { ...ok('One prediction per instance', kserveV1ResponseSchema), headers: routingHeadersDoc }, ...problems(400, 404, 413, 415) },
    },
    predictionHandler(serving, async (c) => {
      const receivedAt = Date.now();
      const startedAt = performance.now();
      const target = c.req.param('target')!;
      if (!target.endsWith(':predict')) return notFound(c);
      const name = target.slice(0, -':predict'.length);
      const body = await readJson(c, kserveV1RequestSchema);
      const { routed, result: outputs } = await serving.serve({
        endpoint: name,
        rows: body.instances.length,
        unit: body.parameters?.unit,
        forced: forcedVariant(c),
        requestId: crypto.randomUUID(),
        receivedAt,
        startedAt,
        plan: (routed) => {
          const inputs = singleInput(routed, name, body.instances);
          return { run: (model) => predict(model, inputs), rowsOf: (result) => predictionRows({ inputs }, result, routed.version) };
        },
      });
      return jsonResponse({ predictions: v1Predictions(outputs) }, routingHeaders(routed));
    }),
  );
  return app;
}

/** The versions an endpoint's variants serve now, in variant order. */
async function variantVersions(serving: Serving, name: string): Promise<ModelVersion[]> {
  const endpoint = await servedEndpoint(serving, name);
  const resolved = await Promise.all([...endpoint.variants.values()].map((variant) => serving.resolve(variant)));
  const versions = resolved.filter((version): version is ModelVersion => version !== undefined);
  if (versions.length === 0) throw new Problem(503, `No variant of endpoint ${name} names a version that exists.`);
  return versions;
}

async function ready(name: string, loading: Promise<unknown>): Promise<void> {
  try {
    await loading;
  } catch (error) {
    if (error instanceof Problem) throw error;
    throw new Problem(503, `Endpoint ${name} is not ready: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// The protocol's metadata has no way to say "rank unknown"; one dynamic dimension is the closest.
function tensorMetadata({ name, datatype, shape }: TensorDescription) {
  return { name, datatype, shape: shape ?? [-1] };
}

function withOipError(problem: Problem): Problem {
  return new Problem(problem.status, problem.message, {
    type: problem.type,
    errors: problem.errors,
    headers: problem.headers,
    extensions: { ...problem.extensions, error: problem.message },
  });
}

/** Rows of a request: the largest leading dimension among its tensors. */
function leadingDim(tensor: unknown): number {
  const shape = (tensor as { shape?: unknown } | null)?.shape;
  return Array.isArray(shape) && typeof shape[0] === 'number' ? shape[0] : 1;
}

/** Each tensor's flat data cut into rows along its first dimension, for the prediction log. */
function tensorRows(tensors: readonly OipTensor[]): TensorRows {
  const rows: Record<string, unknown> = {};
  for (const { name, shape, data } of tensors) {
    if (!Array.isArray(shape) || !Array.isArray(data) || shape.length === 0) continue;
    const count = shape[0];
    const width = shape.length === 1 ? 1 : data.length / Math.max(count, 1);
    rows[name] = Array.from({ length: count }, (_, r) => (shape.length === 1 ? data[r] : data.slice(r * width, (r + 1) * width)));
  }
  return rows;
}

/** KServe V1 instances are rows of the model's one input. */
function singleInput(routed: RoutedRequest, name: string, instances: unknown[]): Record<string, unknown> {
  const inputs = routed.version.signature.inputs;
  if (inputs.length !== 1) {
    throw new Problem(
      400,
      `KServe V1 :predict serves single-input models; endpoint ${name} takes ${inputs.map((i) => i.name).join(', ')}. Use /v2/models/${name}/infer or /v1/endpoints/${name}/predict.`,
    );
  }
  return { [inputs[0].name]: instances };
}

/** One prediction per instance: the output's row, or an object of every output's row. */
function v1Predictions(outputs: Record<string, unknown>): unknown[] {
  const names = Object.keys(outputs);
  const columns = names.map((name) => outputs[name] as unknown[]);
  if (names.length === 1) return columns[0];
  return columns[0].map((_, row) => Object.fromEntries(names.map((name, i) => [name, columns[i][row]])));
}
