import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  checkIfMatch,
  EVENT_TIME,
  FEATURE_EVENT_TIME,
  FeatureJoinError,
  entityKey,
  featureViewDefinitionSchema,
  nextFeatureViewRecord,
  parseEventTime,
  type FeatureStore,
  type FeatureViewRecord,
  resourceNameSchema,
} from '@flywheel/core';
import type { AuthVariables } from '../auth.ts';
import { Problem } from '../problem.ts';
import { limitBody } from '../serving/limits.ts';
import type { Serving } from '../serving/serving.ts';
import { MAX_CONFIG_BODY_BYTES, MAX_REPORTED_FIELD_ERRORS, readJson } from '../validation.ts';
import { nameParam, positiveInt } from './path-params.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { etagHeader, featureValueSchema, json, ok, params, positiveIntSchema, problems } from './openapi.ts';

/** What one Lambda request can carry; larger loads go in several requests. */
export const MAX_FEATURE_BODY_BYTES = 6 * 1024 * 1024;
export const MAX_INGEST_ROWS = 50_000;
export const MAX_HISTORICAL_ROWS = 100_000;

export const featureViewRecordSchema = z.object({
  view: z.string(),
  version: z.int(),
  etag: z.string(),
  definition: featureViewDefinitionSchema,
  actor: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const ingestBodySchema = z.strictObject({ rows: z.array(z.unknown()).min(1).max(MAX_INGEST_ROWS) });
export const ingestResponseSchema = z.object({
  view: z.string(),
  version: z.int(),
  accepted: z.int(),
  rejected: z.array(z.object({ index: z.int(), errors: z.array(z.string()) })),
});
export const historicalBodySchema = z.strictObject({ rows: z.array(z.record(z.string(), z.unknown())).min(1).max(MAX_HISTORICAL_ROWS) });
/** Each row as sent (its entity and event_time), with the view's feature values and feature_event_time (null where no row answered). */
export const historicalResponseSchema = z.object({ view: z.string(), version: z.int(), rows: z.array(z.record(z.string(), featureValueSchema)) });
export const onlineResponseSchema = z.object({
  view: z.string(),
  version: z.int(),
  entity: z.string(),
  entityId: z.string(),
  values: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  eventTime: z.string().nullable(),
});

/**
 * Feature views (README, "Feature store"): definitions versioned like endpoint configs (each change
 * the put-if-absent of the next version, If-Match against its ETag), rows in (JSON or NDJSON),
 * the latest values of an entity, and point-in-time values for a set of (entity, time) rows.
 */
export function featureViewRoutes(store: FeatureStore, serving: Serving, guards: RouteGuards) {
  return declareRoutes(new Hono<{ Variables: AuthVariables }>(), guards)
    .route(
      {
        method: 'put',
        path: '/v1/feature-views/{view}',
        scope: 'deploy',
        tags: ['feature store'],
        summary: 'Create or change a feature view {entity, features: [{name, kind}], ttlSeconds?, description?}',
        description:
          'Versioned like endpoint configs: changing an existing view needs If-Match with its current ETag (428 without, 412 when stale). Features may be added; the entity key and existing features stay.',
        request: {
          params: params({ view: resourceNameSchema }),
          headers: z.object({ 'if-match': z.string().optional(), 'if-none-match': z.string().optional() }),
          body: json(featureViewDefinitionSchema),
        },
        responses: {
          201: { ...ok('Created', featureViewRecordSchema), headers: etagHeader },
          200: { ...ok('Changed', featureViewRecordSchema), headers: etagHeader },
          ...problems(400, 412, 413, 415, 428),
        },
      },
      limitBody(MAX_CONFIG_BODY_BYTES),
      async (c) => {
        const name = nameParam(c, 'view');
        const definition = await readJson(c, featureViewDefinitionSchema);
        const current = await store.ports.views.current(name);
        checkPreconditions(c, name, current);
        const next = nextFeatureViewRecord(name, current, definition, new Date().toISOString(), c.get('apiKey').id);
        if ('issues' in next) throw new Problem(400, `The change to feature view ${name} would break its stored rows.`, { errors: next.issues });
        if (!(await store.ports.views.append(next.record))) {
          throw new Problem(412, `Feature view ${name} changed while this request was being handled; read it again and retry with its ETag.`);
        }
        serving.featureLookup?.forgetView(name);
        return c.json(next.record, current ? 200 : 201, { etag: next.record.etag });
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/feature-views',
        scope: 'read',
        tags: ['feature store'],
        summary: 'List feature views',
        responses: { 200: ok('Every view at its current version', z.object({ views: z.array(featureViewRecordSchema) })) },
      },
      async (c) => c.json({ views: await store.ports.views.list() }),
    )
    .route(
      {
        method: 'get',
        path: '/v1/feature-views/{view}',
        scope: 'read',
        tags: ['feature store'],
        summary: 'A feature view',
        request: { params: params({ view: resourceNameSchema }) },
        responses: { 200: { ...ok('The current version', featureViewRecordSchema), headers: etagHeader }, ...problems(404) },
      },
      async (c) => {
        const view = await existingView(store, nameParam(c, 'view'));
        return c.json(view, 200, { etag: view.etag });
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/feature-views/{view}/history',
        scope: 'read',
        tags: ['feature store'],
        summary: 'Every version of a feature view, newest first',
        request: {
          params: params({ view: resourceNameSchema }),
          query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional(), before: positiveIntSchema.optional() }),
        },
        responses: { 200: ok('The history', z.object({ view: z.string(), history: z.array(featureViewRecordSchema) })), ...problems(400, 404) },
      },
      async (c) => {
        const name = nameParam(c, 'view');
        const limit = c.req.query('limit') === undefined ? 100 : Math.min(positiveInt(c.req.query('limit'), 'limit'), 1000);
        const before = c.req.query('before') === undefined ? undefined : positiveInt(c.req.query('before'), 'before');
        const current = await existingView(store, name);
        return c.json({ view: name, history: await store.ports.views.history(name, { limit, before }) }, 200, { etag: current.etag });
      },
    )
    .route(
      {
        method: 'post',
        path: '/v1/feature-views/{view}/rows',
        scope: 'deploy',
        audited: true,
        tags: ['feature store'],
        summary: 'Rows in: {rows: [{<entity>, event_time, <feature>: value}]} or NDJSON, one row a line',
        description:
          'Idempotent per (entity, event_time): the later send of a time wins. Rows that do not fit the view are refused with reasons and the others kept; when none fits, 400 and nothing is stored.',
        request: {
          params: params({ view: resourceNameSchema }),
          body: { content: { 'application/json': { schema: ingestBodySchema }, 'application/x-ndjson': { schema: z.string() } } },
        },
        responses: { 200: ok('Stored rows and refused ones', ingestResponseSchema), ...problems(400, 404, 413, 415) },
      },
      limitBody(MAX_FEATURE_BODY_BYTES),
      async (c) => {
        const view = await existingView(store, nameParam(c, 'view'));
        const { rows, unparsable } = await readRows(c);
        const ingested = await store.ingest(view, rows, Date.now());
        const result = { ...ingested, rejected: ingested.rejected.map((row) => (unparsable.has(row.index) ? { index: row.index, errors: ['not valid JSON'] } : row)) };
        if (result.accepted === 0) {
          throw new Problem(400, `None of the ${rows.length} rows fits feature view ${view.view}; nothing was stored.`, {
            errors: result.rejected.slice(0, MAX_REPORTED_FIELD_ERRORS).map((row) => ({ path: `rows/${row.index}`, message: row.errors.join('; ') })),
          });
        }
        return c.json({ view: view.view, version: view.version, ...result });
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/feature-views/{view}/online/{entityId}',
        scope: 'read',
        tags: ['feature store'],
        summary: "The latest values of an entity (nulls past the view's ttlSeconds)",
        request: { params: params({ view: resourceNameSchema, entityId: z.string() }) },
        responses: { 200: ok('The values', onlineResponseSchema), ...problems(404) },
      },
      async (c) => {
        const view = await existingView(store, nameParam(c, 'view'));
        const entityId = entityKey(c.req.param('entityId'));
        if (entityId === undefined)
          throw new Problem(400, 'The entity id must be 1 to 256 characters.', { errors: [{ path: 'entityId', message: 'must be 1 to 256 characters' }] });
        const answer = (await store.online(view, [entityId], Date.now())).get(entityId)!;
        return c.json({
          view: view.view,
          version: view.version,
          entity: view.definition.entity,
          entityId,
          values: answer.values,
          eventTime: answer.eventTimeMs === null ? null : new Date(answer.eventTimeMs).toISOString(),
        });
      },
    )
    .route(
      {
        method: 'post',
        path: '/v1/feature-views/{view}/historical',
        scope: 'read',
        tags: ['feature store'],
        summary: 'Point-in-time values: each row {<entity>, event_time} with the values of the latest row at or before event_time (within the ttl), nulls otherwise',
        request: { params: params({ view: resourceNameSchema }), body: json(historicalBodySchema) },
        responses: { 200: ok('One answer per row, in order, with feature_event_time', historicalResponseSchema), ...problems(400, 404, 413, 415, 503) },
      },
      limitBody(MAX_FEATURE_BODY_BYTES),
      async (c) => {
        const view = await existingView(store, nameParam(c, 'view'));
        const { rows } = await readJson(c, historicalBodySchema);
        const entity = view.definition.entity;
        const errors: { path: string; message: string }[] = [];
        const spine = rows.map((row, i) => {
          const entityId = entityKey(row[entity]);
          const eventTimeMs = parseEventTime(row[EVENT_TIME]);
          if (entityId === undefined) errors.push({ path: `rows/${i}/${entity}`, message: 'must be a non-empty string or a number' });
          if (eventTimeMs === undefined) errors.push({ path: `rows/${i}/${EVENT_TIME}`, message: 'must be an ISO 8601 date-time with a zone' });
          return { entityId: entityId ?? '', eventTimeMs: eventTimeMs ?? 0 };
        });
        if (errors.length) throw new Problem(400, 'Some rows do not name an entity and a time.', { errors: errors.slice(0, MAX_REPORTED_FIELD_ERRORS) });
        const answers = await joined(store, view, spine);
        return c.json({
          view: view.view,
          version: view.version,
          rows: rows.map((row, i) => ({
            [entity]: row[entity],
            [EVENT_TIME]: row[EVENT_TIME],
            ...answers[i].values,
            [FEATURE_EVENT_TIME]: answers[i].eventTimeMs === null ? null : new Date(answers[i].eventTimeMs!).toISOString(),
          })),
        });
      },
    ).app;
}

/** The join's answers; a join the query engine did not answer (Athena failed, cancelled or overran) is a 503 naming its reason. */
async function joined(store: FeatureStore, view: FeatureViewRecord, spine: Parameters<FeatureStore['historical']>[1]) {
  try {
    return await store.historical(view, spine);
  } catch (error) {
    if (!(error instanceof FeatureJoinError)) throw error;
    throw new Problem(
      503,
      `The point-in-time join over feature view ${view.view} ${error.outcome}; nothing was changed, so the request can be sent again. The query engine said: ${error.reason}`,
      {
        extensions: { outcome: error.outcome },
      },
    );
  }
}

async function existingView(store: FeatureStore, name: string): Promise<FeatureViewRecord> {
  const view = await store.ports.views.current(name);
  if (!view) throw new Problem(404, `No feature view ${name}.`);
  return view;
}

function checkPreconditions(c: Context, name: string, current: FeatureViewRecord | undefined): void {
  if (c.req.header('if-none-match')?.trim() === '*' && current) throw new Problem(412, `Feature view ${name} already exists (If-None-Match: *).`);
  const precondition = checkIfMatch(c.req.header('if-match'), current);
  if (precondition === 'missing') throw new Problem(428, `Changing feature view ${name} needs an If-Match header with its current ETag (GET /v1/feature-views/${name}).`);
  if (precondition === 'stale') {
    throw new Problem(412, current ? `Feature view ${name} has changed since that ETag; its current one is ${current.etag}.` : `No feature view ${name} to match.`);
  }
}

/**
 * The rows of an ingest body: `{rows: [...]}` as JSON, or one row per line as NDJSON. A line that is
 * not JSON is a refused row (by its position among the rows), so the good lines are kept.
 */
async function readRows(c: Context): Promise<{ rows: unknown[]; unparsable: Set<number> }> {
  const type = c.req.header('content-type') ?? '';
  if (!type.includes('ndjson')) return { rows: (await readJson(c, ingestBodySchema)).rows, unparsable: new Set() };
  const rows: unknown[] = [];
  const unparsable = new Set<number>();
  for (const line of (await c.req.text()).split('\n')) {
    if (line.trim() === '') continue;
    try {
      rows.push(JSON.parse(line));
    } catch {
      unparsable.add(rows.length);
      rows.push(undefined);
    }
  }
  if (rows.length === 0) throw new Problem(400, 'The NDJSON body has no rows.');
  if (rows.length > MAX_INGEST_ROWS) throw new Problem(400, `A request may carry at most ${MAX_INGEST_ROWS} rows; this one has ${rows.length}. Split it into smaller requests.`);
  return { rows, unparsable };
}
