import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { z } from 'zod';
import { generateApiKey, type ApiKeyStore, type AuditRecord, type StoredApiKey } from '@flywheel/core';
import { auditTrail } from '../audit.ts';
import { createAuth } from '../auth.ts';
import { handleError } from '../problem.ts';
import { declareRoutes, routeGuards } from './define-route.ts';
import { ok, params, problems } from './openapi.ts';

// Only what verifying a presented key reads: the stored record by id.
function keyStore(keys: StoredApiKey[]): ApiKeyStore {
  const byId = new Map(keys.map((key) => [key.id, key]));
  return { get: async (id) => byId.get(id), touch: async () => {} } as Partial<ApiKeyStore> as ApiKeyStore;
}

async function setup() {
  const reader = await generateApiKey('reader', ['read']);
  const deployer = await generateApiKey('deployer', ['deploy']);
  const records: AuditRecord[] = [];
  const guards = routeGuards(createAuth(keyStore([reader.record, deployer.record])), auditTrail({ append: async (record: AuditRecord) => void records.push(record) } as never));
  const app = new Hono();
  app.onError(handleError);
  const thing = z.object({ name: z.string() });
  declareRoutes(app, guards)
    .route(
      {
        method: 'get',
        path: '/things/{name}',
        scope: 'read',
        summary: 'A thing',
        request: { params: params({ name: z.string() }) },
        responses: { 200: ok('The thing', thing), ...problems(404) },
      },
      (c) => c.json({ name: c.req.param('name') }),
    )
    .route({ method: 'put', path: '/things/{name}', scope: 'deploy', summary: 'Change a thing', responses: { 200: ok('Changed', thing) } }, (c) =>
      c.json({ name: c.req.param('name') }),
    )
    .route({ method: 'post', path: '/things/{name}/poke', scope: 'deploy', summary: 'Poke a thing', responses: { 200: ok('Poked', thing) } }, (c) =>
      c.json({ name: c.req.param('name') }),
    )
    .route({ method: 'get', path: '/open', summary: 'Public', responses: { 200: ok('Hello', z.object({ hello: z.literal(true) })) } }, (c) => c.json({ hello: true }));
  const as = (key: string, method = 'GET') => ({ method, headers: { authorization: `Bearer ${key}` } });
  return { app, guards, records, reader: reader.key, deployer: deployer.key, as };
}

describe('declareRoutes', () => {
  it('checks the declared scope: 401 without a key, 403 without the scope, the handler with it; a route without one is public', async () => {
    const { app, reader, deployer, as } = await setup();
    expect((await app.request('/things/a')).status).toBe(401);
    expect((await app.request('/things/a', as(deployer))).status).toBe(403);
    const answer = await app.request('/things/a', as(reader));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ name: 'a' });
    expect((await app.request('/open')).status).toBe(200);
  });

  it('keeps a scoped route without audit as one handler (Hono dispatches it without a compose step)', async () => {
    const { app } = await setup();
    const handlers = (method: string, path: string) => app.routes.filter((route) => route.method === method && route.path === path).length;
    expect(handlers('GET', '/things/:name')).toBe(1);
    expect(handlers('PUT', '/things/:name')).toBe(3);
  });

  it('audits PUT, PATCH and DELETE routes, and POST routes only where declared', async () => {
    const { app, records, reader, deployer, as } = await setup();
    await app.request('/things/a', as(deployer, 'PUT'));
    await app.request('/things/a', as(reader, 'PUT'));
    await app.request('/things/a/poke', as(deployer, 'POST'));
    await app.request('/things/a', as(reader));
    expect(records.map(({ method, path, status, result }) => ({ method, path, status, result }))).toEqual([
      { method: 'PUT', path: '/things/a', status: 200, result: 'ok' },
      { method: 'PUT', path: '/things/a', status: 403, result: 'refused' },
    ]);
  });

  it('lists each operation with its scope, its schemas and the refusals a scoped route may answer', async () => {
    const { guards } = await setup();
    const [get, , , open] = guards.operations;
    expect(get).toMatchObject({ method: 'get', path: '/things/{name}', 'x-flywheel-scope': 'read', security: [{ bearer: [] }] });
    expect(Object.keys(get!.responses).sort()).toEqual(['200', '401', '403', '404', '429']);
    expect(get!.request?.params).toBeDefined();
    expect(open).not.toHaveProperty('x-flywheel-scope');
    expect(Object.keys(open!.responses)).toEqual(['200']);
  });
});
