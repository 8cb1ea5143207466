import { Hono } from 'hono';
import { z } from 'zod';
import {
  defaultRotationGraceSeconds,
  generateApiKey,
  isGeneratedKeyId,
  MAX_REQUESTS_PER_SECOND,
  maxRotationGraceSeconds,
  rotateApiKey,
  scopes,
  type ApiKeyStore,
  type StoredApiKey,
} from '@flywheel/core';
import { Problem } from '../problem.ts';
import { limitBody } from '../serving/limits.ts';
import { MAX_CONFIG_BODY_BYTES, readJson, readOptionalJson } from '../validation.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { json, ok, params, problems } from './openapi.ts';

const resourceName = z.string().regex(/^(endpoint|model):[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a resource is `endpoint:<name>` or `model:<name>`');

export const createKeyBodySchema = z.strictObject({
  name: z.string().min(1).max(100),
  scopes: z
    .array(z.enum(scopes))
    .min(1)
    .max(scopes.length * 4),
  expiresAt: z.iso
    .datetime({ offset: true })
    .refine((at) => Date.parse(at) > Date.now(), 'expiresAt must be in the future')
    .optional(),
  resources: z.array(resourceName).min(1).max(100).optional(),
  rateLimit: z
    .strictObject({
      requestsPerSecond: z.number().positive().max(MAX_REQUESTS_PER_SECOND),
      burst: z.number().int().min(1).max(MAX_REQUESTS_PER_SECOND).optional(),
    })
    .optional(),
});

export const rotateKeyBodySchema = z.strictObject({
  graceSeconds: z.number().int().min(0).max(maxRotationGraceSeconds).optional(),
});

// Generated ids are 12 lowercase alphanumerics; an operator-chosen key's id is `k` + 11 hex digits.
const keyId = /^(?:[a-z0-9]{12}|k[0-9a-f]{11})$/;

const keyViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(scopes)),
  createdAt: z.string(),
  expiresAt: z.string().optional(),
  resources: z.array(z.string()).optional(),
  rateLimit: z.object({ requestsPerSecond: z.number(), burst: z.int() }).optional(),
  rotatedAt: z.string().optional(),
  previousSecretValidUntil: z.string().optional(),
  lastUsedAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
/** A key as created or rotated: its plain secret, shown this once. */
const keyWithSecretSchema = keyViewSchema.extend({ key: z.string() });
const keyIdParams = params({ id: z.string() });

/** Key management under scope `admin`; the plain key is returned once, at creation or rotation. */
export function keyRoutes(store: ApiKeyStore, guards: RouteGuards) {
  const existingId = (id: string) => {
    if (!keyId.test(id)) throw new Problem(404, `No API key ${id.slice(0, 40)}${id.length > 40 ? '…' : ''}.`);
    return id;
  };
  const app = new Hono();
  const { route } = declareRoutes(app, guards);
  const withinLimit = limitBody(MAX_CONFIG_BODY_BYTES);
  route(
    {
      method: 'post',
      path: '/v1/keys',
      scope: 'admin',
      audited: true,
      tags: ['keys'],
      summary: 'Create an API key {name, scopes, expiresAt?, resources?, rateLimit?}; the key is shown once',
      request: { body: json(createKeyBodySchema) },
      responses: { 201: ok('Created', keyWithSecretSchema), ...problems(400, 413, 415) },
    },
    withinLimit,
    async (c) => {
      const body = await readJson(c, createKeyBodySchema);
      const { key, record } = await generateApiKey(body.name, [...new Set(body.scopes)], new Date(), {
        expiresAt: body.expiresAt && new Date(body.expiresAt).toISOString(),
        resources: body.resources && [...new Set(body.resources)],
        // Without a burst, a second's worth may arrive at once.
        rateLimit: body.rateLimit && {
          requestsPerSecond: body.rateLimit.requestsPerSecond,
          burst: body.rateLimit.burst ?? Math.max(1, Math.ceil(body.rateLimit.requestsPerSecond)),
        },
      });
      await store.create(record);
      return c.json({ ...publicView(record), key }, 201);
    },
  );
  route(
    {
      method: 'get',
      path: '/v1/keys',
      scope: 'admin',
      tags: ['keys'],
      summary: 'List API keys (never the keys themselves)',
      responses: { 200: ok('Keys', z.object({ keys: z.array(keyViewSchema) })) },
    },
    withinLimit,
    async (c) => c.json({ keys: (await store.list()).map(publicView) }),
  );
  route(
    {
      method: 'post',
      path: '/v1/keys/{id}/rotate',
      scope: 'admin',
      audited: true,
      tags: ['keys'],
      summary: 'A new secret for a key; the old one stays valid for graceSeconds (default 3600); the new key is shown once',
      request: { params: keyIdParams, body: { ...json(rotateKeyBodySchema), required: false } },
      responses: { 200: ok('Rotated', keyWithSecretSchema), ...problems(400, 404, 409) },
    },
    withinLimit,
    async (c) => {
      const id = existingId(c.req.param('id'));
      // No body takes the default grace.
      const body = await readOptionalJson(c, rotateKeyBodySchema);
      const current = await store.get(id);
      if (!current || current.revokedAt) throw new Problem(404, `No active API key ${id}.`);
      if (!isGeneratedKeyId(id)) throw new Problem(409, `Key ${id} was chosen by an operator (FLYWHEEL_ADMIN_KEY); change it where it is configured.`);
      const { key, rotation } = await rotateApiKey(current, body.graceSeconds ?? defaultRotationGraceSeconds);
      const rotated = await store.rotate(id, rotation, current.secretHash);
      if (!rotated) throw new Problem(409, `Key ${id} was revoked or rotated meanwhile; read it again.`);
      guards.requireScope.forget(id);
      return c.json({ ...publicView(rotated), key });
    },
  );
  route(
    {
      method: 'delete',
      path: '/v1/keys/{id}',
      scope: 'admin',
      tags: ['keys'],
      summary: 'Revoke an API key',
      request: { params: keyIdParams },
      responses: { 200: ok('Revoked', keyViewSchema), ...problems(404) },
    },
    withinLimit,
    async (c) => {
      const id = existingId(c.req.param('id'));
      const revoked = await store.revoke(id, new Date().toISOString());
      if (!revoked) throw new Problem(404, `No API key ${id}.`);
      guards.requireScope.forget(id);
      return c.json(publicView(revoked));
    },
  );
  return app;
}

function publicView(record: StoredApiKey) {
  const { id, name, scopes: keyScopes, createdAt, revokedAt, expiresAt, resources, rateLimit, previousSecret, rotatedAt, lastUsedAt } = record;
  return {
    id,
    name,
    scopes: keyScopes,
    createdAt,
    ...(expiresAt ? { expiresAt } : {}),
    ...(resources ? { resources } : {}),
    ...(rateLimit ? { rateLimit } : {}),
    ...(rotatedAt ? { rotatedAt } : {}),
    ...(previousSecret ? { previousSecretValidUntil: previousSecret.validUntil } : {}),
    ...(lastUsedAt ? { lastUsedAt } : {}),
    ...(revokedAt ? { revokedAt } : {}),
  };
}
