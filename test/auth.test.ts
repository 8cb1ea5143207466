import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from './support/system.ts';

describe('authentication and API keys over HTTP', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(() => system?.stop());

  it('answers /healthz without a key', async () => {
    const response = await system.api('/healthz', { key: null });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('refuses a missing or wrong key with 401 problem+json', async () => {
    for (const key of [null, 'fw_aaaaaaaaaaaa_wrongwrongwrongwrongwrongwrongwrongwrongwro']) {
      const response = await system.api('/v1/keys', { key });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
  });

  it('creates a scoped key that gets 403 outside its scope, and revokes it', async () => {
    const created = await system.api('/v1/keys', { method: 'POST', json: { name: 'reader', scopes: ['read'] } });
    expect(created.status).toBe(201);
    const { id, key } = (await created.json()) as { id: string; key: string };
    const listed = (await (await system.api('/v1/keys')).json()) as { keys: Array<{ id: string }> };
    expect(listed.keys.map((k) => k.id)).toContain(id);
    expect(JSON.stringify(listed)).not.toContain(key);
    const forbidden = await system.api('/v1/keys', { key });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).detail).toMatch(/admin/);
    expect((await system.api(`/v1/keys/${id}`, { method: 'DELETE' })).status).toBe(200);
  });

  it('rejects a malformed body with 400 and field paths, and changes nothing', async () => {
    const before = ((await (await system.api('/v1/keys')).json()) as { keys: unknown[] }).keys.length;
    const bad = await system.api('/v1/keys', { method: 'POST', json: { name: '', scopes: ['root'] } });
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors: Array<{ path: string }> };
    expect(problem.errors.map((e) => e.path).sort()).toEqual(['name', 'scopes/0']);
    const garbage = await system.api('/v1/keys', { method: 'POST', body: '{oops', headers: { 'content-type': 'application/json' } });
    expect(garbage.status).toBe(400);
    expect(((await (await system.api('/v1/keys')).json()) as { keys: unknown[] }).keys.length).toBe(before);
  });
});
