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
import type { RequireScope } from '../auth.ts';
import { Problem } from '../problem.ts';
import { limitBody } from '../serving/limits.ts';
import { MAX_CONFIG_BODY_BYTES, readJson, readOptionalJson } from '../validation.ts';

const resourceName = z.string().regex(/^(endpoint|model):[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a resource is `endpoint:<name>` or `model:<name>`');

export const createKeyBodySchema = z.strictObject({
  name: z.string().min(1).max(100),
  scopes: z.array(z.enum(scopes)).min(1).max(scopes.length * 4),
  expiresAt: z.iso.datetime({ offset: true }).refine((at) => Date.parse(at) > Date.now(), 'expiresAt must be in the future').optional(),
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

/** Key management under scope `admin`; the plain key is returned once, at creation or rotation. */
export function keyRoutes(store: ApiKeyStore, requireScope: RequireScope) {
  const existingId = (id: string) => {
    if (!keyId.test(id)) throw new Problem(404, `No API key ${id.slice(0, 40)}${id.length > 40 ? '…' : ''}.`);
    return id;
  };
  return new Hono()
    .use('/v1/keys', requireScope('admin'), limitBody(MAX_CONFIG_BODY_BYTES))
    .use('/v1/keys/*', requireScope('admin'), limitBody(MAX_CONFIG_BODY_BYTES))
    .post('/v1/keys', async (c) => {
      const body = await readJson(c, createKeyBodySchema);
      const { key, record } = await generateApiKey(body.name, [...new Set(body.scopes)], new Date(), {
        expiresAt: body.expiresAt && new Date(body.expiresAt).toISOString(),
        resources: body.resources && [...new Set(body.resources)],
        // Without a burst, a second's worth may arrive at once.
        rateLimit: body.rateLimit && { requestsPerSecond: body.rateLimit.requestsPerSecond, burst: body.rateLimit.burst ?? Math.max(1, Math.ceil(body.rateLimit.requestsPerSecond)) },
      });
      await store.create(record);
      return c.json({ ...publicView(record), key }, 201);
    })
    .get('/v1/keys', async (c) => c.json({ keys: (await store.list()).map(publicView) }))
    .post('/v1/keys/:id/rotate', async (c) => {
      const id = existingId(c.req.param('id'));
      // No body takes the default grace.
      const body = await readOptionalJson(c, rotateKeyBodySchema);
      const current = await store.get(id);
      if (!current || current.revokedAt) throw new Problem(404, `No active API key ${id}.`);
      if (!isGeneratedKeyId(id)) throw new Problem(409, `Key ${id} was chosen by an operator (FLYWHEEL_ADMIN_KEY); change it where it is configured.`);
      const { key, rotation } = await rotateApiKey(current, body.graceSeconds ?? defaultRotationGraceSeconds);
      const rotated = await store.rotate(id, rotation, current.secretHash);
      if (!rotated) throw new Problem(409, `Key ${id} was revoked or rotated meanwhile; read it again.`);
      requireScope.forget(id);
      return c.json({ ...publicView(rotated), key });
    })
    .delete('/v1/keys/:id', async (c) => {
      const id = existingId(c.req.param('id'));
      const revoked = await store.revoke(id, new Date().toISOString());
      if (!revoked) throw new Problem(404, `No API key ${id}.`);
      requireScope.forget(id);
      return c.json(publicView(revoked));
    });
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
