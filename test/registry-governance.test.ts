import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, putEndpoint, registerBytes, registered, scaledModel, singleVariant } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';
import { governanceResponseSchema } from '../packages/api/src/routes/model-governance.ts';

type Governed = { version: number; stage: string; tags: Record<string, string>; pendingStage?: { stage: string; requestedBy: { keyName: string } } };

describe('registry governance: stages with approval, tags, search, archive and delete', () => {
  let system: TestSystem;
  let reviewer: { id: string; key: string };

  beforeAll(async () => {
    system = await startTestSystem();
    const created = await system.api('/v1/keys', { method: 'POST', json: { name: 'reviewer', scopes: ['deploy', 'read'] } });
    expect(created.status, await created.clone().text()).toBe(201);
    reviewer = (await created.json()) as { id: string; key: string };
  });
  afterAll(() => system?.stop());

  const post = (path: string, json: unknown, key?: string) => system.api(path, { method: 'POST', json, ...(key ? { key } : {}) });
  const governance = async (model: string, version: number) => {
    const body = await (await system.api(`/v1/models/${model}/versions/${version}/governance`)).json();
    // What is answered is what the OpenAPI document says.
    governanceResponseSchema.parse(body);
    return body as { stage: string; history: Array<{ revision: number; change: Record<string, unknown> }> };
  };

  it('moves a version to production only when a second key approves, recording who, when and why', async () => {
    const version = await registered(system, 'gov-stage', scaledModel(1.5));
    expect(((await (await system.api(`/v1/models/gov-stage/versions/${version}`)).json()) as Governed).stage).toBe('none');

    const staged = await post(`/v1/models/gov-stage/versions/${version}/stage`, { stage: 'staging', reason: 'passed offline evaluation' });
    expect(staged.status, await staged.clone().text()).toBe(200);
    expect(((await staged.json()) as Governed).stage).toBe('staging');

    const requested = await post(`/v1/models/gov-stage/versions/${version}/stage`, { stage: 'production', reason: 'beats v0 by 3 points' });
    expect(requested.status).toBe(202);
    expect(await requested.json()).toMatchObject({ stage: 'staging', pendingStage: { stage: 'production', reason: 'beats v0 by 3 points' } });

    // The asker cannot approve its own request; nothing changes.
    await expectProblem(await post(`/v1/models/gov-stage/versions/${version}/stage/approve`, { reason: 'me' }), 403);
    expect((await governance('gov-stage', version)).stage).toBe('staging');

    const approved = await post(`/v1/models/gov-stage/versions/${version}/stage/approve`, { reason: 'reviewed the holdout report' }, reviewer.key);
    expect(approved.status, await approved.clone().text()).toBe(200);
    expect(((await approved.json()) as Governed).stage).toBe('production');

    const { history } = await governance('gov-stage', version);
    expect(history.map((h) => h.revision)).toEqual([3, 2, 1]);
    expect(history[0].change).toMatchObject({
      kind: 'stage',
      from: 'staging',
      to: 'production',
      reason: 'reviewed the holdout report',
      by: { keyId: reviewer.id, keyName: 'reviewer' },
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      request: { stage: 'production', reason: 'beats v0 by 3 points', requestedBy: { keyName: 'local admin' } },
    });

    // The audit trail has each change under the key that made it.
    const { records } = (await (await system.api('/v1/audit?resource=model:gov-stage')).json()) as { records: Array<{ path: string; actor: { keyName: string }; status: number }> };
    expect(records.filter((r) => r.path.endsWith('/stage/approve')).map((r) => [r.actor.keyName, r.status])).toEqual([
      ['reviewer', 200],
      ['local admin', 403],
    ]);
  });

  it('refuses transitions the lifecycle has no step for, and a reason-less change, changing nothing', async () => {
    const version = await registered(system, 'gov-invalid', scaledModel(2.5));
    const skip = await expectProblem(await post(`/v1/models/gov-invalid/versions/${version}/stage`, { stage: 'production', reason: 'in a hurry' }), 422);
    expect(skip.detail).toContain('from there it can move to staging, archived');
    await expectProblem(await post(`/v1/models/gov-invalid/versions/${version}/stage`, { stage: 'none', reason: 'again' }), 409);
    const noReason = await expectProblem(await post(`/v1/models/gov-invalid/versions/${version}/stage`, { stage: 'staging' }), 400);
    expect(noReason.errors?.[0].path).toBe('reason');
    await expectProblem(await post(`/v1/models/gov-invalid/versions/${version}/stage`, { stage: 'gold', reason: 'x' }), 400);
    await expectProblem(await post(`/v1/models/gov-invalid/versions/${version}/stage/approve`, { reason: 'nothing asked' }, reviewer.key), 409);
    await expectProblem(await post('/v1/models/gov-invalid/versions/99/stage', { stage: 'staging', reason: 'x' }), 404);
    expect(await governance('gov-invalid', version)).toMatchObject({ stage: 'none', history: [] });
  });

  it('keeps mutable tags and finds versions by tag, stage and text', async () => {
    const first = await registered(system, 'gov-search', scaledModel(3.5), { description: 'Churn model for the EU market', tags: { team: 'growth' } });
    const second = await registered(system, 'gov-search', scaledModel(4.5), { description: 'Churn model, retrained' });
    const tagged = await system.api(`/v1/models/gov-search/versions/${second}/tags`, { method: 'PATCH', json: { set: { team: 'risk', candidate: 'yes' }, reason: 'handed over' } });
    expect(tagged.status, await tagged.clone().text()).toBe(200);
    expect(((await tagged.json()) as Governed).tags).toEqual({ team: 'risk', candidate: 'yes' });
    const untagged = await system.api(`/v1/models/gov-search/versions/${second}/tags`, { method: 'PATCH', json: { remove: ['candidate'] } });
    expect(((await untagged.json()) as Governed).tags).toEqual({ team: 'risk' });
    await expectProblem(await system.api(`/v1/models/gov-search/versions/${second}/tags`, { method: 'PATCH', json: { remove: ['candidate'] } }), 409);
    await post(`/v1/models/gov-search/versions/${first}/stage`, { stage: 'staging', reason: 'shadow test' });

    const search = async (query: string) => {
      const response = await system.api(`/v1/models?${query}`);
      expect(response.status, await response.clone().text()).toBe(200);
      const { models } = (await response.json()) as { models: Array<{ model: string; versions: Governed[] }> };
      return models.filter((m) => m.model.startsWith('gov-search')).flatMap((m) => m.versions.map((v) => v.version));
    };
    expect(await search('tag=team:risk')).toEqual([second]);
    expect(await search('tag=team')).toEqual([first, second]);
    expect(await search('stage=staging')).toEqual([first]);
    expect(await search('q=eu%20MARKET')).toEqual([first]);
    expect(await search('q=churn&stage=none')).toEqual([second]);
    await expectProblem(await system.api('/v1/models?stage=gold'), 400);
    // Without a filter the listing is the one it always was.
    const plain = (await (await system.api('/v1/models')).json()) as { models: Array<{ model: string; latestVersion: number; versions?: unknown }> };
    expect(plain.models.find((m) => m.model === 'gov-search')).toEqual({ model: 'gov-search', latestVersion: second, updatedAt: expect.any(String) });
  });

  it('refuses to archive or delete a version an endpoint serves or shadows, and deletes it once none does', async () => {
    const served = await registered(system, 'gov-delete', scaledModel(5.5));
    const shadowed = await registered(system, 'gov-delete', scaledModel(6.5));
    const aliased = await registered(system, 'gov-delete', scaledModel(7.5));
    expect((await system.api('/v1/models/gov-delete/aliases/next', { method: 'PUT', json: { version: aliased } })).status).toBe(200);
    expect(
      (
        await putEndpoint(system, 'gov-delete', {
          variants: [{ name: 'main', model: 'gov-delete', version: served, weight: 100 }],
          shadows: [
            { name: 'quiet', model: 'gov-delete', version: shadowed, percent: 10 },
            { name: 'next', model: 'gov-delete', alias: 'next', percent: 10 },
          ],
        })
      ).status,
    ).toBe(201);

    const remove = (version: number) => system.api(`/v1/models/gov-delete/versions/${version}`, { method: 'DELETE', json: { reason: 'superseded' } });
    for (const [version, role] of [
      [served, 'variant main'],
      [shadowed, 'shadow quiet'],
      [aliased, 'shadow next via alias next'],
    ] as const) {
      const refused = await expectProblem(await remove(version), 409);
      expect(refused.detail).toContain(`endpoint gov-delete (${role})`);
      expect((await system.api(`/v1/models/gov-delete/versions/${version}`)).status).toBe(200);
    }
    await post(`/v1/models/gov-delete/versions/${served}/stage`, { stage: 'staging', reason: 'review' });
    const archive = await expectProblem(await post(`/v1/models/gov-delete/versions/${served}/stage`, { stage: 'archived', reason: 'old' }), 409);
    expect(archive.detail).toContain('endpoint gov-delete (variant main)');
    expect((await governance('gov-delete', served)).stage).toBe('staging');

    // Once the endpoint no longer names it, the shadowed version goes: not found, not listed, not served, not re-registered.
    expect((await putEndpoint(system, 'gov-delete', singleVariant('gov-delete', served))).status).toBe(200);
    const pinned = () =>
      system.api(`/v2/models/gov-delete/versions/${shadowed}/infer`, { method: 'POST', json: { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] } });
    expect((await pinned()).status).toBe(200);
    const deleted = await remove(shadowed);
    expect(deleted.status, await deleted.clone().text()).toBe(204);
    const gone = await expectProblem(await system.api(`/v1/models/gov-delete/versions/${shadowed}`), 410);
    expect((await pinned()).status).toBe(404);
    expect(gone.detail).toContain('by key local admin: superseded');
    const listed = (await (await system.api('/v1/models/gov-delete')).json()) as { versions: Governed[] };
    expect(listed.versions.map((v) => v.version)).toEqual([served, aliased]);
    await expectProblem(await putEndpoint(system, 'gov-delete', singleVariant('gov-delete', shadowed)), 400);
    await expectProblem(await registerBytes(system, 'gov-delete', scaledModel(6.5)), 409);
    await expectProblem(await remove(shadowed), 410);
    expect((await governance('gov-delete', shadowed)).history[0].change).toMatchObject({ kind: 'deleted', reason: 'superseded', by: { keyName: 'local admin' } });
    // Its number stays taken.
    expect(await registered(system, 'gov-delete', scaledModel(8.5))).toBe(aliased + 1);
  });

  it('records the reason of a rollback, of an endpoint or of an alias', async () => {
    const [one, two] = [await registered(system, 'gov-rollback', scaledModel(9.5)), await registered(system, 'gov-rollback', scaledModel(10.5))];
    expect((await putEndpoint(system, 'gov-rollback', singleVariant('gov-rollback', one))).status).toBe(201);
    expect((await putEndpoint(system, 'gov-rollback', singleVariant('gov-rollback', two))).status).toBe(200);
    const etag = (await system.api('/v1/endpoints/gov-rollback')).headers.get('etag')!;
    const rolledBack = await system.api('/v1/endpoints/gov-rollback/rollback', {
      method: 'POST',
      headers: { 'if-match': etag },
      json: { configVersion: 1, reason: 'version 2 doubles latency' },
    });
    expect(rolledBack.status, await rolledBack.clone().text()).toBe(200);
    const { history } = (await (await system.api('/v1/endpoints/gov-rollback/history')).json()) as { history: Array<{ configVersion: number; change: Record<string, unknown> }> };
    expect(history[0]).toMatchObject({ configVersion: 3, change: { kind: 'rollback', restoredFrom: 1, reason: 'version 2 doubles latency' } });

    for (const [version, reason] of [
      [two, 'promoted'],
      [one, 'back: v2 regressed on EU traffic'],
    ] as const) {
      expect((await system.api('/v1/models/gov-rollback/aliases/stable', { method: 'PUT', json: { version, reason } })).status).toBe(200);
    }
    const moves = (await (await system.api('/v1/models/gov-rollback/aliases/stable/history')).json()) as {
      history: Array<{ version: number; reason?: string; previousVersion?: number }>;
    };
    expect(moves.history.map((m) => [m.version, m.previousVersion, m.reason])).toEqual([
      [one, two, 'back: v2 regressed on EU traffic'],
      [two, undefined, 'promoted'],
    ]);
    await expectProblem(await system.api('/v1/models/gov-rollback/aliases/stable', { method: 'PUT', json: { version: one, reason: '' } }), 400);
  });
});
