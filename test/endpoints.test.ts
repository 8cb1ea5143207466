import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '@flywheel/api';
import { createApiDependencies } from '@flywheel/deploy';
import { floatTensor, tensorType, writeModel } from '@flywheel/inference';
import { expectProblem, putEndpoint, registered, scaledModel, singleVariant } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';
import { z } from 'zod';
import { endpointViewSchema } from '../packages/api/src/routes/endpoints.ts';

interface EndpointBody {
  endpoint: string;
  configVersion: number;
  etag: string;
  config: { variants: Array<{ name: string; weight: number }>; sticky: boolean; logging: unknown };
  allocation: Array<{ name: string; ranges: [number, number][] }>;
  change: { kind: string; restoredFrom?: number; actor?: string };
}

const split = (control: number, canary: number, alias = false) => ({
  variants: [
    { name: 'control', model: 'scorer', version: 1, weight: control },
    { name: 'canary', model: 'scorer', ...(alias ? { alias: 'next' } : { version: 2 }), weight: canary },
  ],
});

describe('endpoints over HTTP', () => {
  let system: TestSystem;
  const predict = (endpoint: string, body: unknown, headers?: Record<string, string>) => system.api(`/v1/endpoints/${endpoint}/predict`, { method: 'POST', json: body, headers });

  beforeAll(async () => {
    system = await startTestSystem();
    await registered(system, 'scorer', scaledModel(1));
    await registered(system, 'scorer', scaledModel(2));
    await registered(system, 'other', scaledModel(1, 'z'));
    await registered(
      system,
      'wide',
      writeModel({
        inputs: [{ name: 'x', type: tensorType('float64', ['N', 3]) }],
        outputs: [{ name: 'y', type: tensorType('float64', ['N', 3]) }],
        nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }],
        initializers: [floatTensor('unused', [1], [0])],
      }),
    );
    await system.api('/v1/models/scorer/aliases/next', { method: 'PUT', json: { version: 2 } });
  });
  afterAll(() => system?.stop());

  it('creates an endpoint without If-Match, then requires a current one to change it', async () => {
    const created = await system.api('/v1/endpoints/checkout', { method: 'PUT', json: split(90, 10) });
    expect(created.status).toBe(201);
    const body = (await created.json()) as EndpointBody;
    expect(body).toMatchObject({ endpoint: 'checkout', configVersion: 1, change: { kind: 'create' }, config: { sticky: true, logging: { percent: 100, redact: [] } } });
    expect(body).not.toHaveProperty('salt');
    expect(created.headers.get('etag')).toBe(body.etag);
    const read = await system.api('/v1/endpoints/checkout');
    expect(read.headers.get('etag')).toBe(body.etag);

    const missing = await expectProblem(await system.api('/v1/endpoints/checkout', { method: 'PUT', json: split(50, 50) }), 428);
    expect(missing.detail).toMatch(/If-Match/);
    await expectProblem(await system.api('/v1/endpoints/checkout', { method: 'PUT', json: split(50, 50), headers: { 'if-match': '"7-deadbeef"' } }), 412);
    await expectProblem(await system.api('/v1/endpoints/checkout', { method: 'PUT', json: split(50, 50), headers: { 'if-none-match': '*' } }), 412);

    const ramped = await system.api('/v1/endpoints/checkout', { method: 'PUT', json: split(50, 50), headers: { 'if-match': body.etag } });
    expect(ramped.status).toBe(200);
    const rampedBody = (await ramped.json()) as EndpointBody;
    expect(rampedBody).toMatchObject({ configVersion: 2, change: { kind: 'update' } });
    expect(ramped.headers.get('etag')).not.toBe(body.etag);
    // Units in the canary at 10% stay in it at 50%.
    const canaryBefore = body.allocation.find((v) => v.name === 'canary')!.ranges;
    const canaryAfter = rampedBody.allocation.find((v) => v.name === 'canary')!.ranges;
    for (const [start, end] of canaryBefore) expect(canaryAfter.some(([s, e]) => s <= start && end <= e)).toBe(true);
    await expectProblem(await system.api('/v1/endpoints/checkout', { method: 'PUT', json: split(10, 90), headers: { 'if-match': body.etag } }), 412);
  });

  it('lets exactly one of several concurrent updates with the same ETag through', async () => {
    await system.api('/v1/endpoints/race', { method: 'PUT', json: split(90, 10) });
    const etag = (await system.api('/v1/endpoints/race')).headers.get('etag')!;
    const responses = await Promise.all(
      [20, 30, 40, 50, 60].map((canary) => system.api('/v1/endpoints/race', { method: 'PUT', json: split(100 - canary, canary), headers: { 'if-match': etag } })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 412, 412, 412, 412]);
    const history = (await (await system.api('/v1/endpoints/race/history')).json()) as { history: EndpointBody[] };
    expect(history.history.map((h) => h.configVersion)).toEqual([2, 1]);
  });

  it('refuses invalid configs with field paths, and changes nothing', async () => {
    const cases: Array<[unknown, string[]]> = [
      [{ variants: [{ name: 'a', model: 'scorer', version: 1, weight: 60 }] }, ['variants']],
      [{ variants: [{ name: 'a', model: 'ghost', version: 1, weight: 100 }] }, ['variants/0/model']],
      [{ variants: [{ name: 'a', model: 'scorer', version: 9, weight: 100 }] }, ['variants/0/version']],
      [
        {
          variants: [
            { name: 'a', model: 'scorer', version: 1, weight: 50 },
            { name: 'b', model: 'scorer', alias: 'nope', weight: 50 },
          ],
        },
        ['variants/1/alias'],
      ],
      [
        {
          variants: [
            { name: 'a', model: 'scorer', version: 1, weight: 50 },
            { name: 'b', model: 'other', version: 1, weight: 50 },
          ],
        },
        ['variants/1'],
      ],
      [{ variants: [{ name: 'a', model: 'scorer', version: 1, weight: 100 }], shadows: [{ name: 's', model: 'wide', version: 1, percent: 10 }] }, ['shadows/0']],
      [{ variants: [{ name: 'a', model: 'scorer', version: 1, weight: 100, weigth: 1 }] }, ['variants/0/weigth']],
    ];
    for (const [config, paths] of cases) {
      const problem = await expectProblem(await system.api('/v1/endpoints/invalid', { method: 'PUT', json: config }), 400);
      expect(
        problem.errors!.map((e) => e.path),
        JSON.stringify(config),
      ).toEqual(paths);
    }
    const mismatch = await expectProblem(
      await system.api('/v1/endpoints/invalid', {
        method: 'PUT',
        json: {
          variants: [
            { name: 'a', model: 'scorer', version: 1, weight: 50 },
            { name: 'b', model: 'wide', version: 1, weight: 50 },
          ],
        },
      }),
      400,
    );
    expect(mismatch.errors![0].message).toMatch(/^b \(wide version 1\) cannot take the requests of a \(scorer version 1\): its input x is FP64, not FP32/);
    await expectProblem(await system.api('/v1/endpoints/invalid'), 404);
    await expectProblem(await system.api('/v1/endpoints/invalid', { method: 'PUT', body: '{', headers: { 'content-type': 'application/json' } }), 400);
  });

  it('keeps every change, and rolls back to an earlier config as a new version that predictions report', async () => {
    expect((await putEndpoint(system, 'roll', singleVariant('scorer', 1))).status).toBe(201);
    const first = await predict('roll', { inputs: { x: [[1, 2, 3]] } });
    expect(first.headers.get('flywheel-config-version')).toBe('1');
    expect(((await first.json()) as { outputs: { y: number[][] } }).outputs.y).toEqual([[1, 2, 3]]);

    expect((await putEndpoint(system, 'roll', singleVariant('scorer', 2))).status).toBe(200);
    const second = await predict('roll', { inputs: { x: [[1, 2, 3]] } });
    expect([second.headers.get('flywheel-config-version'), second.headers.get('flywheel-model-version')]).toEqual(['2', '2']);

    const etag = (await system.api('/v1/endpoints/roll')).headers.get('etag')!;
    await expectProblem(await system.api('/v1/endpoints/roll/rollback', { method: 'POST', json: { configVersion: 1 } }), 428);
    expect(
      (await expectProblem(await system.api('/v1/endpoints/roll/rollback', { method: 'POST', json: { configVersion: 9 }, headers: { 'if-match': etag } }), 400)).errors![0].path,
    ).toBe('configVersion');
    const rolledBack = await system.api('/v1/endpoints/roll/rollback', { method: 'POST', json: { configVersion: 1 }, headers: { 'if-match': etag } });
    expect(rolledBack.status).toBe(200);
    const body = (await rolledBack.json()) as EndpointBody;
    expect(body).toMatchObject({ configVersion: 3, change: { kind: 'rollback', restoredFrom: 1 }, config: { variants: [{ name: 'main', version: 1 }] } });
    expect(body.change.actor).toBeTruthy();
    await expectProblem(await system.api('/v1/endpoints/roll/rollback', { method: 'POST', json: { configVersion: 2 }, headers: { 'if-match': etag } }), 412);

    const third = await predict('roll', { inputs: { x: [[1, 2, 3]] } });
    expect([third.headers.get('flywheel-config-version'), third.headers.get('flywheel-model-version')]).toEqual(['3', '1']);

    // What is answered is what the OpenAPI document says.
    const history = z.object({ history: z.array(endpointViewSchema) }).parse(await (await system.api('/v1/endpoints/roll/history')).json()) as { history: EndpointBody[] };
    expect(history.history.map((h) => [h.configVersion, h.change.kind])).toEqual([
      [3, 'rollback'],
      [2, 'update'],
      [1, 'create'],
    ]);
    const page = (await (await system.api('/v1/endpoints/roll/history?limit=1&before=3')).json()) as { history: EndpointBody[] };
    expect(page.history.map((h) => h.configVersion)).toEqual([2]);
    const listed = (await (await system.api('/v1/endpoints')).json()) as { endpoints: EndpointBody[] };
    expect(listed.endpoints.find((e) => e.endpoint === 'roll')?.configVersion).toBe(3);
  });

  it('routes sticky units consistently, follows aliases, and lets only deploy keys force a variant', async () => {
    await putEndpoint(system, 'sticky', split(50, 50, true));
    const variantOf = async (unit: string) => (await predict('sticky', { inputs: { x: [[1, 1, 1]] }, unit })).headers.get('flywheel-variant');
    const seen = new Map<string, string | null>();
    for (let i = 0; i < 40; i++) seen.set(`user-${i}`, await variantOf(`user-${i}`));
    for (const [unit, variant] of [...seen].slice(0, 10)) expect(await variantOf(unit)).toBe(variant);
    expect(new Set(seen.values())).toEqual(new Set(['control', 'canary']));

    // The canary follows its alias: moved back to version 1, it answers with version 1.
    await system.api('/v1/models/scorer/aliases/next', { method: 'PUT', json: { version: 1 } });
    const forced = await predict('sticky', { inputs: { x: [[1, 1, 1]] } }, { 'flywheel-variant': 'canary' });
    expect([forced.headers.get('flywheel-variant'), forced.headers.get('flywheel-model-version')]).toEqual(['canary', '1']);
    await expectProblem(await predict('sticky', { inputs: { x: [[1, 1, 1]] } }, { 'flywheel-variant': 'nope' }), 400);

    const caller = (await (await system.api('/v1/keys', { method: 'POST', json: { name: 'app', scopes: ['predict'] } })).json()) as { key: string };
    const asApp = (headers?: Record<string, string>) =>
      system.api('/v1/endpoints/sticky/predict', { method: 'POST', json: { inputs: { x: [[1, 1, 1]] } }, key: caller.key, headers });
    expect((await asApp()).status).toBe(200);
    await expectProblem(await asApp({ 'flywheel-variant': 'canary' }), 403);
    await expectProblem(await system.api('/v1/endpoints/sticky', { method: 'PUT', json: split(50, 50), key: caller.key }), 403);
  });

  it('reaches another instance within its cache TTL, for configs and aliases alike', async () => {
    const ttlMs = 300;
    const other = createApp(createApiDependencies(system.clients, system.names), { serving: { configCacheTtlMs: ttlMs } });
    const versionsSeen = async () => {
      const response = await other.request('/v1/endpoints/elsewhere/predict', {
        method: 'POST',
        body: JSON.stringify({ inputs: { x: [[1, 1, 1]] } }),
        headers: { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/json' },
      });
      return `${response.headers.get('flywheel-config-version')}/${response.headers.get('flywheel-model-version')}`;
    };
    const waitFor = async (expected: string) => {
      const started = Date.now();
      while ((await versionsSeen()) !== expected) {
        expect(Date.now() - started, `still not ${expected}`).toBeLessThan(ttlMs + 500);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return Date.now() - started;
    };
    await system.api('/v1/models/scorer/aliases/live', { method: 'PUT', json: { version: 1 } });
    await putEndpoint(system, 'elsewhere', { variants: [{ name: 'main', model: 'scorer', alias: 'live', weight: 100 }] });
    expect(await versionsSeen()).toBe('1/1');
    await putEndpoint(system, 'elsewhere', { variants: [{ name: 'main', model: 'scorer', version: 2, weight: 100 }] });
    await waitFor('2/2');
    await putEndpoint(system, 'elsewhere', { variants: [{ name: 'main', model: 'scorer', alias: 'live', weight: 100 }] });
    await waitFor('3/1');
    await system.api('/v1/models/scorer/aliases/live', { method: 'PUT', json: { version: 2 } });
    await waitFor('3/2');
  });

  it('refuses oversized config bodies with 413 before reading them, and changes nothing', async () => {
    await putEndpoint(system, 'bounded', singleVariant('scorer', 1));
    const before = (await system.api('/v1/endpoints/bounded')).headers.get('etag');
    const padding = 'x'.repeat(1024 * 1024);
    for (const [path, method] of [
      ['/v1/endpoints/bounded', 'PUT'],
      ['/v1/endpoints/bounded/rollback', 'POST'],
      ['/v1/models/scorer/aliases/big', 'PUT'],
    ] as const) {
      const response = await system.api(path, { method, json: { ...singleVariant('scorer', 1), padding }, headers: { 'if-match': before! } });
      await expectProblem(response, 413);
    }
    expect((await system.api('/v1/endpoints/bounded')).headers.get('etag')).toBe(before);
    expect((await system.api('/v1/models/scorer/aliases/big')).status).toBe(404);
  });
});
