import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '@flywheel/api';
import { createApiDependencies } from '@flywheel/deploy';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

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

  it('refuses unknown fields instead of dropping them, and caps the problems it lists', async () => {
    const unknown = await system.api('/v1/keys', { method: 'POST', json: { name: 'ci', scopes: ['predict'], expires: '2030-01-01T00:00:00Z' } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toMatch(/expires/);
    const many = await system.api('/v1/keys', { method: 'POST', json: { name: 'ci', scopes: Array.from({ length: 500 }, () => 'root') } });
    expect(many.status).toBe(400);
    const problem = (await many.json()) as { errors: Array<{ path: string; message: string }> };
    expect(problem.errors.length).toBeLessThanOrEqual(21);
    const past = await system.api('/v1/keys', { method: 'POST', json: { name: 'ci', scopes: ['read'], expiresAt: '2001-01-01T00:00:00Z' } });
    expect(past.status).toBe(400);
    expect((await system.api('/v1/keys/' + 'x'.repeat(3000), { method: 'DELETE' })).status).toBe(404);
    const huge = await system.api('/v1/keys', { method: 'POST', json: { name: 'x'.repeat(300_000), scopes: ['read'] } });
    expect(huge.status).toBe(413);
  });

  it('stops a revoked key at once in the process that revoked it, and an expired key when it expires', async () => {
    const created = (await (
      await system.api('/v1/keys', { method: 'POST', json: { name: 'short-lived', scopes: ['read'], expiresAt: new Date(Date.now() + 3000).toISOString() } })
    ).json()) as { id: string; key: string; expiresAt: string };
    expect(created.expiresAt).toBeDefined();
    expect((await system.api('/v1/models', { key: created.key })).status).toBe(200);
    // Cached after that first use: expiry must still be honoured, in real time.
    await new Promise((resolve) => setTimeout(resolve, Date.parse(created.expiresAt) - Date.now() + 50));
    const expired = await system.api('/v1/models', { key: created.key });
    expect(expired.status).toBe(401);
    expect((await expired.json()).detail).toMatch(/expired/);

    const revocable = (await (await system.api('/v1/keys', { method: 'POST', json: { name: 'revocable', scopes: ['read'] } })).json()) as { id: string; key: string };
    expect((await system.api('/v1/models', { key: revocable.key })).status).toBe(200);
    const revokedAt = Date.now();
    expect((await system.api(`/v1/keys/${revocable.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await system.api('/v1/models', { key: revocable.key })).status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(1000);
  });

  it('rotates a key: the new secret works, the old one for its grace period only', async () => {
    const created = (await (await system.api('/v1/keys', { method: 'POST', json: { name: 'rotating', scopes: ['read'] } })).json()) as { id: string; key: string };
    const rotated = await system.api(`/v1/keys/${created.id}/rotate`, { method: 'POST', json: { graceSeconds: 2 } });
    expect(rotated.status).toBe(200);
    const next = (await rotated.json()) as { id: string; key: string; previousSecretValidUntil: string };
    expect(next.id).toBe(created.id);
    expect(next.key).not.toBe(created.key);
    expect((await system.api('/v1/models', { key: next.key })).status).toBe(200);
    expect((await system.api('/v1/models', { key: created.key })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(next.previousSecretValidUntil) - Date.now() + 50));
    // The old secret's verification was forgotten at rotation and is checked afresh: past its grace, refused.
    expect((await system.api('/v1/models', { key: created.key })).status).toBe(401);
    expect((await system.api('/v1/models', { key: next.key })).status).toBe(200);
    const listed = ((await (await system.api('/v1/keys')).json()) as { keys: Array<{ id: string; rotatedAt?: string; lastUsedAt?: string }> }).keys.find(
      (k) => k.id === created.id,
    );
    expect(listed?.rotatedAt).toBeDefined();
    expect(listed?.lastUsedAt).toBeDefined();
    expect((await system.api(`/v1/keys/${created.id}/rotate`, { method: 'POST', json: { graceSeconds: -1 } })).status).toBe(400);
  });

  it('limits a key to named resources: their routes only', async () => {
    const created = (await (await system.api('/v1/keys', { method: 'POST', json: { name: 'one-endpoint', scopes: ['read'], resources: ['endpoint:alpha'] } })).json()) as {
      key: string;
      resources: string[];
    };
    expect(created.resources).toEqual(['endpoint:alpha']);
    const own = await system.api('/v1/endpoints/alpha', { key: created.key });
    expect(own.status).toBe(404); // admitted: alpha does not exist
    const other = await system.api('/v1/endpoints/beta', { key: created.key });
    expect(other.status).toBe(403);
    expect((await other.json()).detail).toMatch(/endpoint:alpha/);
    expect((await system.api('/v1/models', { key: created.key })).status).toBe(403);
    expect((await system.api('/v2/models/beta/ready', { key: created.key })).status).toBe(403);
  });

  it('takes the bearer scheme in any case', async () => {
    expect((await system.api('/v1/models', { key: null, headers: { authorization: `bearer ${system.adminKey}` } })).status).toBe(200);
    expect((await system.api('/v1/models', { key: null, headers: { authorization: `BEARER ${system.adminKey}` } })).status).toBe(200);
  });

  it("answers 429 with Retry-After past a key's rate, across instances, and lets it through again", async () => {
    const created = await system.api('/v1/keys', { method: 'POST', json: { name: 'limited', scopes: ['read'], rateLimit: { requestsPerSecond: 10, burst: 10 } } });
    const { key, rateLimit } = (await created.json()) as { key: string; rateLimit: unknown };
    expect(rateLimit).toEqual({ requestsPerSecond: 10, burst: 10 });
    // A second instance (another Lambda) shares the limit through the table.
    const other = createApp(createApiDependencies(system.clients, system.names));
    // Aligned to the start of a second, so the burst falls into one window.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const response = i % 2 === 0 ? await system.api('/v1/models', { key }) : await other.request('/v1/models', { headers: { authorization: `Bearer ${key}` } });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
      }
    }
    const allowed = statuses.filter((s) => s === 200).length;
    expect(allowed).toBeGreaterThanOrEqual(5);
    expect(allowed).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 429).length).toBe(30 - allowed);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await system.api('/v1/models', { key })).status).toBe(200);
    // Keys without a limit are not limited.
    for (let i = 0; i < 30; i++) expect((await system.api('/v1/models')).status).toBe(200);
    expect((await system.api('/v1/keys', { method: 'POST', json: { name: 'bad', scopes: ['read'], rateLimit: { requestsPerSecond: 0 } } })).status).toBe(400);
  });
});
