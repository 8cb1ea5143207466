import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  allocationSchema,
  endpointUpdatedEvent,
  type EventPublisher,
  checkIfMatch,
  endpointConfigSchema,
  inputSignatureMismatch,
  nextEndpointRecord,
  parseEndpointConfig,
  type EndpointChangeRequest,
  type EndpointConfig,
  type EndpointRecord,
  type EndpointStore,
  type FieldIssue,
  type ModelRegistry,
  type ModelTarget,
  type ModelVersion,
  resourceNameSchema,
} from '@flywheel/core';
import { announce } from '../announce.ts';
import type { AuthVariables } from '../auth.ts';
import { Problem } from '../problem.ts';
import type { Serving } from '../serving/serving.ts';
import { limitBody } from '../serving/limits.ts';
import { MAX_CONFIG_BODY_BYTES, readJson } from '../validation.ts';
import { nameParam, positiveInt } from './path-params.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { etagHeader, json, ok, params, positiveIntSchema, problems } from './openapi.ts';

export const rollbackBodySchema = z.strictObject({ configVersion: z.int().min(1), reason: z.string().trim().min(1).max(1000).optional() });

const weightsSchema = z.array(z.strictObject({ name: z.string(), weight: z.number() }));
/** A guardrail's rollback or promotion and the evidence for it (`GuardrailDecisionRecord` in @flywheel/core). */
const guardrailDecisionRecordSchema = z.strictObject({
  action: z.enum(['rollback', 'promote']),
  verdict: z.enum(['degraded', 'healthy', 'inconclusive', 'collecting', 'not-running']),
  control: z.string(),
  candidate: z.string(),
  stepStartedAt: z.int().describe('The config version the judged step began with'),
  previousWeights: weightsSchema,
  numbers: z.strictObject({
    metric: z.enum(['error_rate', 'latency_p95', 'outcome']),
    controlValue: z.number().nullable(),
    candidateValue: z.number().nullable(),
    controlSamples: z.int(),
    candidateSamples: z.int(),
    degradation: z.number().nullable(),
    maxDegradation: z.number(),
    sequentialPValue: z.number(),
    alpha: z.number(),
    minSamples: z.int(),
    candidateWeight: z.number(),
  }),
});
/** Why a config version exists (`EndpointChange` in @flywheel/core). */
export const endpointChangeSchema = z.strictObject({
  kind: z.enum(['create', 'update', 'rollback', 'promote', 'guardrail-rollback', 'guardrail']),
  restoredFrom: z.int().optional().describe('For a rollback: the config version restored'),
  reason: z.string().optional(),
  actor: z.string().optional().describe('The API key (or component) that made the change'),
  decision: guardrailDecisionRecordSchema.optional().describe('For kind guardrail: what was decided, on which numbers'),
});

export const endpointViewSchema = z.object({
  endpoint: z.string(),
  configVersion: z.int(),
  etag: z.string(),
  config: endpointConfigSchema,
  allocation: allocationSchema,
  change: endpointChangeSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});

export interface EndpointRouteDependencies {
  endpoints: EndpointStore;
  registry: ModelRegistry;
  /** Where `endpoint.updated` goes; without it nothing is announced. */
  events?: EventPublisher;
}

/**
 * Endpoint configs (API.md, "Endpoints"). Every change is the put-if-absent of the next config
 * version, so the If-Match check and the write are one atomic step: if another change landed
 * between reading the current version and writing, the write fails and the caller gets 412.
 */
export function endpointRoutes(deps: EndpointRouteDependencies, serving: Serving, guards: RouteGuards) {
  const { endpoints, registry } = deps;

  async function commit(c: Context<{ Variables: AuthVariables }>, name: string, current: EndpointRecord | undefined, request: EndpointChangeRequest) {
    const next = nextEndpointRecord(name, current, { ...request, change: { ...request.change, actor: c.get('apiKey').id } }, new Date().toISOString());
    if (!(await endpoints.append(next))) {
      throw new Problem(412, `Endpoint ${name} changed while this request was being handled; read it again and retry with its ETag.`);
    }
    serving.forgetEndpoint(name);
    await announce(deps.events, () => endpointUpdatedEvent({ endpoint: name, configVersion: next.configVersion }, { time: next.updatedAt }));
    return c.json(view(next), current ? 200 : 201, { etag: next.etag });
  }

  return declareRoutes(new Hono<{ Variables: AuthVariables }>(), guards)
    .route(
      {
        method: 'put',
        path: '/v1/endpoints/{endpoint}',
        scope: 'deploy',
        tags: ['endpoints'],
        summary: 'Create or change an endpoint',
        description: 'Changing an existing endpoint needs If-Match with its current ETag (428 without, 412 when stale). Creating one needs none.',
        request: {
          params: params({ endpoint: resourceNameSchema }),
          headers: z.object({ 'if-match': z.string().optional(), 'if-none-match': z.string().optional() }),
          body: json(endpointConfigSchema),
        },
        responses: {
          201: { ...ok('Created', endpointViewSchema), headers: etagHeader },
          200: { ...ok('Changed', endpointViewSchema), headers: etagHeader },
          ...problems(400, 412, 428),
        },
      },
      limitBody(MAX_CONFIG_BODY_BYTES),
      async (c) => {
        const name = nameParam(c, 'endpoint');
        const parsed = parseEndpointConfig(await readJson(c, z.unknown()));
        if (!parsed.ok) throw new Problem(400, 'The endpoint config is not valid.', { errors: [...parsed.errors] });
        const current = await endpoints.current(name);
        checkPreconditions(c, name, current);
        const issues = await referenceIssues(registry, parsed.config);
        if (issues.length) throw new Problem(400, 'The endpoint config names models it cannot serve together.', { errors: issues });
        return commit(c, name, current, { config: parsed.config, change: { kind: current ? 'update' : 'create' } });
      },
    )
    .route(
      {
        method: 'post',
        path: '/v1/endpoints/{endpoint}/rollback',
        scope: 'deploy',
        audited: true,
        tags: ['endpoints'],
        summary: 'Restore an earlier config as a new config version',
        request: { params: params({ endpoint: resourceNameSchema }), headers: z.object({ 'if-match': z.string() }), body: json(rollbackBodySchema) },
        responses: { 200: { ...ok('Rolled back', endpointViewSchema), headers: etagHeader }, ...problems(400, 404, 412, 428) },
      },
      limitBody(MAX_CONFIG_BODY_BYTES),
      async (c) => {
        const name = nameParam(c, 'endpoint');
        const { configVersion, reason } = await readJson(c, rollbackBodySchema);
        const current = await existingEndpoint(endpoints, name);
        checkPreconditions(c, name, current);
        const target = await endpoints.get(name, configVersion);
        if (!target) {
          throw new Problem(400, `Endpoint ${name} has no config version ${configVersion}.`, {
            errors: [{ path: 'configVersion', message: `must be one of 1..${current.configVersion}` }],
          });
        }
        return commit(c, name, current, {
          config: target.config,
          allocation: target.allocation,
          change: { kind: 'rollback', restoredFrom: configVersion, ...(reason ? { reason } : {}) },
        });
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/endpoints',
        scope: 'read',
        tags: ['endpoints'],
        summary: 'List endpoints',
        responses: { 200: ok('Every endpoint at its current config', z.object({ endpoints: z.array(endpointViewSchema) })) },
      },
      async (c) => c.json({ endpoints: (await endpoints.list()).map(view) }),
    )
    .route(
      {
        method: 'get',
        path: '/v1/endpoints/{endpoint}',
        scope: 'read',
        tags: ['endpoints'],
        summary: 'An endpoint',
        request: { params: params({ endpoint: resourceNameSchema }) },
        responses: { 200: { ...ok('The current config', endpointViewSchema), headers: etagHeader }, ...problems(404) },
      },
      async (c) => {
        const current = await existingEndpoint(endpoints, nameParam(c, 'endpoint'));
        return c.json(view(current), 200, { etag: current.etag });
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/endpoints/{endpoint}/history',
        scope: 'read',
        tags: ['endpoints'],
        summary: 'Every config version of an endpoint, newest first',
        request: {
          params: params({ endpoint: resourceNameSchema }),
          query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional(), before: positiveIntSchema.optional() }),
        },
        responses: { 200: ok('The history', z.object({ endpoint: z.string(), history: z.array(endpointViewSchema) })), ...problems(400, 404) },
      },
      async (c) => {
        const name = nameParam(c, 'endpoint');
        const limit = c.req.query('limit') === undefined ? 100 : Math.min(positiveInt(c.req.query('limit'), 'limit'), 1000);
        const before = c.req.query('before') === undefined ? undefined : positiveInt(c.req.query('before'), 'before');
        const current = await existingEndpoint(endpoints, name);
        const history = await endpoints.history(name, { limit, before });
        return c.json({ endpoint: name, history: history.map(view) }, 200, { etag: current.etag });
      },
    ).app;
}

/** The stored record as clients see it; the salt stays inside. */
function view(record: EndpointRecord) {
  const { salt: _salt, ...visible } = record;
  return visible;
}

async function existingEndpoint(endpoints: EndpointStore, name: string): Promise<EndpointRecord> {
  const current = await endpoints.current(name);
  if (!current) throw new Problem(404, `No endpoint ${name}.`);
  return current;
}

function checkPreconditions(c: Context, name: string, current: EndpointRecord | undefined): void {
  if (c.req.header('if-none-match')?.trim() === '*' && current) {
    throw new Problem(412, `Endpoint ${name} already exists (If-None-Match: *).`);
  }
  const precondition = checkIfMatch(c.req.header('if-match'), current);
  if (precondition === 'missing') {
    throw new Problem(428, `Changing endpoint ${name} needs an If-Match header with its current ETag (GET /v1/endpoints/${name}).`);
  }
  if (precondition === 'stale') {
    throw new Problem(412, current ? `Endpoint ${name} has changed since that ETag; its current one is ${current.etag}.` : `No endpoint ${name} to match.`);
  }
}

/**
 * Every variant and shadow must name an existing version (directly or through an alias), and all
 * must take the same requests: the caller does not choose who answers, so an input that fits
 * one variant must fit them all.
 */
async function referenceIssues(registry: ModelRegistry, config: EndpointConfig): Promise<FieldIssue[]> {
  const targets = [
    ...config.variants.map((variant, i) => ({ target: variant, name: variant.name, path: `variants/${i}` })),
    ...config.shadows.map((shadow, i) => ({ target: shadow, name: shadow.name, path: `shadows/${i}` })),
  ];
  const resolved = await Promise.all(targets.map(({ target }) => resolveFresh(registry, target)));
  const issues: FieldIssue[] = [];
  let reference: { name: string; version: ModelVersion } | undefined;
  targets.forEach(({ name, path }, i) => {
    const result = resolved[i];
    if ('issue' in result) {
      issues.push({ path: `${path}/${result.field}`, message: result.issue });
      return;
    }
    if (!reference) {
      reference = { name, version: result.version };
      return;
    }
    const mismatch = inputSignatureMismatch(reference.version.signature, result.version.signature);
    if (mismatch) {
      issues.push({
        path,
        message: `${name} (${result.version.model} version ${result.version.version}) cannot take the requests of ${reference.name} (${reference.version.model} version ${reference.version.version}): ${mismatch}`,
      });
    }
  });
  return issues;
}

// Straight from the registry, not the serving caches: a config is checked against what exists now.
async function resolveFresh(registry: ModelRegistry, target: ModelTarget): Promise<{ version: ModelVersion } | { field: string; issue: string }> {
  const number = target.version ?? (await registry.getAlias(target.model, target.alias!))?.version;
  const version = number === undefined ? undefined : await registry.getVersion(target.model, number);
  if (version) return { version };
  if (!(await registry.latestVersion(target.model))) return { field: 'model', issue: `no model ${target.model} is registered` };
  return target.version !== undefined
    ? { field: 'version', issue: `model ${target.model} has no version ${target.version}` }
    : { field: 'alias', issue: `model ${target.model} has no alias ${target.alias}` };
}
