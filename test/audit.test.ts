import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, putEndpoint, registered, scaledModel, singleVariant } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

interface AuditRecordBody {
  id: string;
  at: string;
  actor: { keyId: string; keyName: string };
  method: string;
  path: string;
  resource?: string;
  status: number;
  result: string;
  before?: string;
  after?: string;
}

describe('the audit trail over HTTP', () => {
  let system: TestSystem;
  let adminId: string;
  const audit = async (query = '') => {
    const response = await system.api(`/v1/audit${query}`);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as { records: AuditRecordBody[]; next?: string };
  };

  beforeAll(async () => {
    system = await startTestSystem();
    adminId = ((await (await system.api('/v1/keys')).json()) as { keys: Array<{ id: string }> }).keys[0].id;
  });
  afterAll(() => system?.stop());

  it('records every mutating call with its actor, resource and versions, and no secret or prediction', async () => {
    const started = new Date().toISOString();
    await registered(system, 'audited', scaledModel(2));
    const created = await putEndpoint(system, 'audited', singleVariant('audited', 1));
    const etag = created.headers.get('etag')!;
    await system.api('/v1/endpoints/audited', { method: 'PUT', json: singleVariant('audited', 1), headers: { 'if-match': etag } });
    await system.api('/v1/models/audited/aliases/live', { method: 'PUT', json: { version: 1 } });
    expect((await system.api('/v1/endpoints/audited/predict', { method: 'POST', json: { inputs: { x: [[1, 2, 3]] } } })).status).toBe(200);
    const key = (await (await system.api('/v1/keys', { method: 'POST', json: { name: 'reader', scopes: ['read'] } })).json()) as { id: string; key: string };
    await expectProblem(await system.api('/v1/endpoints/audited', { method: 'PUT', json: singleVariant('audited', 1), key: key.key }), 403);
    await system.api(`/v1/keys/${key.id}`, { method: 'DELETE' });

    const { records } = await audit(`?since=${started}`);
    const calls = records.map((r) => `${r.method} ${r.path} ${r.status} ${r.actor.keyName}`).reverse();
    expect(calls).toEqual([
      'POST /v1/models/audited/versions 201 local admin',
      'PUT /v1/endpoints/audited 201 local admin',
      'PUT /v1/endpoints/audited 200 local admin',
      'PUT /v1/models/audited/aliases/live 200 local admin',
      'POST /v1/keys 201 local admin',
      'PUT /v1/endpoints/audited 403 reader',
      `DELETE /v1/keys/${key.id} 200 local admin`,
    ]);
    const update = records.find((r) => r.method === 'PUT' && r.status === 200 && r.path === '/v1/endpoints/audited')!;
    expect(update).toMatchObject({ resource: 'endpoint:audited', result: 'ok', before: etag, actor: { keyId: adminId } });
    expect(update.after).toMatch(/^"2-/);
    expect(records.find((r) => r.status === 403)).toMatchObject({ result: 'refused', actor: { keyId: key.id, keyName: 'reader' } });
    const text = JSON.stringify(records);
    expect(text).not.toContain(key.key);
    expect(text).not.toContain(system.adminKey);
  });

  it('filters by resource and actor, pages newest first, and refuses a forged cursor', async () => {
    const byResource = await audit('?resource=model:audited');
    expect(byResource.records.length).toBeGreaterThanOrEqual(2);
    expect(byResource.records.every((r) => r.resource === 'model:audited')).toBe(true);
    const byActor = await audit(`?actor=${adminId}&resource=endpoint:audited`);
    expect(byActor.records.every((r) => r.actor.keyId === adminId && r.resource === 'endpoint:audited')).toBe(true);
    expect(byActor.records).toHaveLength(2);

    const all = (await audit()).records;
    const seen: AuditRecordBody[] = [];
    let cursor: string | undefined;
    do {
      const page = await audit(`?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.records.length).toBeLessThanOrEqual(2);
      seen.push(...page.records);
      cursor = page.next;
    } while (cursor);
    expect(seen.map((r) => r.id)).toEqual(all.map((r) => r.id));
    expect([...seen].sort((a, b) => b.at.localeCompare(a.at)).map((r) => r.id)).toEqual(seen.map((r) => r.id));

    await expectProblem(await system.api('/v1/audit?cursor=%7B%22pk%22%3A%7B%7D%7D'), 400);
    await expectProblem(await system.api('/v1/audit?actor=x'.padEnd(3000, 'x')), 400);
  });
});
