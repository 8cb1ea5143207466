import { Hono } from 'hono';
import { z } from 'zod';
import { generateApiKey, scopes, type ApiKeyStore } from '@flywheel/core';
import type { RequireScope } from '../auth.ts';
import { Problem } from '../problem.ts';
import { readJson } from '../validation.ts';

const createKeyBody = z.object({
  name: z.string().min(1).max(100),
  scopes: z.array(z.enum(scopes)).min(1),
});

/** Key management under scope `admin`; the plain key is returned once, at creation. */
export function keyRoutes(store: ApiKeyStore, requireScope: RequireScope) {
  return new Hono()
    .use('/v1/keys', requireScope('admin'))
    .use('/v1/keys/*', requireScope('admin'))
    .post('/v1/keys', async (c) => {
      const body = await readJson(c, createKeyBody);
      const { key, record } = await generateApiKey(body.name, [...new Set(body.scopes)]);
      await store.create(record);
      return c.json({ ...publicView(record), key }, 201);
    })
    .get('/v1/keys', async (c) => c.json({ keys: (await store.list()).map(publicView) }))
    .delete('/v1/keys/:id', async (c) => {
      const revoked = await store.revoke(c.req.param('id'), new Date().toISOString());
      if (!revoked) throw new Problem(404, `No API key ${c.req.param('id')}.`);
      return c.json(publicView(revoked));
    });
}

function publicView(record: { id: string; name: string; scopes: string[]; createdAt: string; revokedAt?: string }) {
  const { id, name, scopes: keyScopes, createdAt, revokedAt } = record;
  return { id, name, scopes: keyScopes, createdAt, ...(revokedAt ? { revokedAt } : {}) };
}
