import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PredictionLogEntry } from '@flywheel/core';
import { createApp } from '@flywheel/api';
import { createApiDependencies, createFeatureStore } from '@flywheel/deploy';
import { DuckDbFeatureEngine } from '@flywheel/aws/duckdb';
import { mlpFixture } from '@flywheel/testing/test-models';
import { expectProblem, putEndpoint, registered, singleVariant } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';
import { historicalResponseSchema } from '../packages/api/src/routes/feature-views.ts';

const customers = {
  entity: 'customer_id',
  features: [
    { name: 'spend', kind: 'numerical' },
    { name: 'visits', kind: 'numerical' },
  ],
  ttlSeconds: 3600,
};
const iso = (ms: number) => new Date(ms).toISOString();

describe('feature views over HTTP', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(() => system?.stop());

  const put = (view: string, json: unknown, headers: Record<string, string> = {}) => system.api(`/v1/feature-views/${view}`, { method: 'PUT', json, headers });
  const post = (path: string, json: unknown) => system.api(path, { method: 'POST', json });

  it('versions a view like an endpoint config: ETag, If-Match, history, and changes that would break stored rows refused', async () => {
    const created = await put('shoppers', customers);
    expect(created.status).toBe(201);
    const etag = created.headers.get('etag')!;
    expect(await created.json()).toMatchObject({ view: 'shoppers', version: 1, definition: customers });

    await expectProblem(await put('shoppers', customers), 428);
    await expectProblem(await put('shoppers', customers, { 'if-match': '"v9-stale"' }), 412);
    await expectProblem(await put('shoppers', customers, { 'if-none-match': '*' }), 412);
    const removing = await expectProblem(await put('shoppers', { ...customers, features: [customers.features[0]] }, { 'if-match': etag }), 400);
    expect(removing.errors?.[0].message).toMatch(/visits/);
    const invalid = await expectProblem(await put('shoppers', { entity: 'customer_id', features: [{ name: 'customer_id', kind: 'numerical' }] }, { 'if-match': etag }), 400);
    expect(invalid.errors?.[0].path).toBe('features/0/name');

    const added = await put('shoppers', { ...customers, features: [...customers.features, { name: 'segment', kind: 'categorical' }] }, { 'if-match': etag });
    expect(added.status).toBe(200);
    const history = (await (await system.api('/v1/feature-views/shoppers/history')).json()) as { history: { version: number }[] };
    expect(history.history.map((h) => h.version)).toEqual([2, 1]);
    const listed = (await (await system.api('/v1/feature-views')).json()) as { views: { view: string; version: number }[] };
    expect(listed.views.find((v) => v.view === 'shoppers')?.version).toBe(2);
  });

  it('takes rows as JSON or NDJSON, keeps the good ones of a mixed batch, and refuses a batch with none without storing anything', async () => {
    await put('visits', customers);
    const now = Date.now();
    const mixed = await post('/v1/feature-views/visits/rows', {
      rows: [
        { customer_id: 'c1', event_time: iso(now - 60_000), spend: 10, visits: 1 },
        { customer_id: 'c2', event_time: iso(now - 60_000), spend: 'ten' },
      ],
    });
    expect(mixed.status).toBe(200);
    expect(await mixed.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1, errors: [expect.stringContaining('spend')] }] });

    const ndjson = [JSON.stringify({ customer_id: 'c2', event_time: iso(now - 30_000), spend: 20, visits: 2 }), '{not json', ''].join('\n');
    const lines = await system.api('/v1/feature-views/visits/rows', { method: 'POST', body: ndjson, headers: { 'content-type': 'application/x-ndjson' } });
    expect(await lines.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1, errors: ['not valid JSON'] }] });

    const none = await expectProblem(await post('/v1/feature-views/visits/rows', { rows: [{ customer_id: 'c3', event_time: iso(now), spend: 1, visits: 1, colour: 'red' }] }), 400);
    expect(none.errors).toEqual([{ path: 'rows/0', message: 'colour: the view has no such feature' }]);
    const c3 = (await (await system.api('/v1/feature-views/visits/online/c3')).json()) as { eventTime: string | null };
    expect(c3.eventTime).toBeNull();
    await expectProblem(await post('/v1/feature-views/nowhere/rows', { rows: [{}] }), 404);
    await expectProblem(await system.api(`/v1/feature-views/visits/online/${'x'.repeat(300)}`), 400);
    await expectProblem(await post('/v1/feature-views/visits/rows', { rows: [] }), 400);
    const huge = await system.api('/v1/feature-views/visits/rows', { method: 'POST', body: 'x'.repeat(7 * 1024 * 1024), headers: { 'content-type': 'application/x-ndjson' } });
    await expectProblem(huge, 413);

    // Ingests are audited like other control-plane changes; historical reads are not.
    const { records } = (await (await system.api('/v1/audit?limit=50')).json()) as { records: { method: string; path: string; status: number }[] };
    const ingests = records.filter((r) => r.path === '/v1/feature-views/visits/rows').map((r) => `${r.method} ${r.status}`);
    expect(ingests.sort()).toEqual(['POST 200', 'POST 200', 'POST 400', 'POST 400', 'POST 413']);

    const online = await (await system.api('/v1/feature-views/visits/online/c2')).json();
    expect(online).toEqual({ view: 'visits', version: 1, entity: 'customer_id', entityId: 'c2', values: { spend: 20, visits: 2 }, eventTime: iso(now - 30_000) });
  });

  it('answers historical rows point-in-time, with nulls before the first row and past the ttl', async () => {
    await put('history', customers);
    const t = Date.parse('2026-02-01T10:00:00Z');
    await post('/v1/feature-views/history/rows', {
      rows: [
        { customer_id: 'c1', event_time: iso(t), spend: 1, visits: 1 },
        { customer_id: 'c1', event_time: iso(t + 600_000), spend: 2, visits: 2 },
      ],
    });
    const response = await post('/v1/feature-views/history/historical', {
      rows: [
        { customer_id: 'c1', event_time: iso(t - 1) },
        { customer_id: 'c1', event_time: iso(t + 599_999) },
        { customer_id: 'c1', event_time: iso(t + 600_000) },
        { customer_id: 'c1', event_time: iso(t + 600_000 + 3_600_001) },
      ],
    });
    // What is answered is what the OpenAPI document says.
    const { rows } = historicalResponseSchema.parse(await response.json());
    expect(rows.map((r) => [r.spend, r.feature_event_time])).toEqual([
      [null, null],
      [1, iso(t)],
      [2, iso(t + 600_000)],
      [null, null],
    ]);
    expect(rows[0]).toEqual({ customer_id: 'c1', event_time: iso(t - 1), spend: null, visits: null, feature_event_time: null });
    const bad = await expectProblem(await post('/v1/feature-views/history/historical', { rows: [{ customer_id: 'c1', event_time: 'noon' }] }), 400);
    expect(bad.errors?.[0].path).toBe('rows/0/event_time');
  });
});

describe('predicting by entity key', () => {
  let system: TestSystem;
  let engine: DuckDbFeatureEngine;
  const fixture = mlpFixture();
  beforeAll(async () => {
    system = await startTestSystem();
    engine = new DuckDbFeatureEngine(system.clients.s3, system.names.bucket);
    await system.api('/v1/feature-views/customers', { method: 'PUT', json: customers });
    const features = [
      { name: 'age', kind: 'numerical', input: 'features', index: 0 },
      { name: 'spend', kind: 'numerical', input: 'features', index: 1, view: 'customers' },
      { name: 'visits', kind: 'numerical', input: 'features', index: 2, view: 'customers' },
      { name: 'tenure', kind: 'numerical', input: 'features', index: 3 },
    ];
    await registered(system, 'churn', fixture.bytes, { features });
    await putEndpoint(system, 'churn', { ...singleVariant('churn', 1), logging: { percent: 100 } });
    const now = Date.now();
    const rows = [
      { customer_id: 'c1', event_time: iso(now - 120_000), spend: 5, visits: 1 },
      { customer_id: 'c1', event_time: iso(now - 60_000), spend: 12.5, visits: 3 },
      { customer_id: 'c2', event_time: iso(now - 60_000), spend: 40, visits: 9 },
      { customer_id: 'stale', event_time: iso(now - 7_200_000), spend: 1, visits: 1 },
    ];
    expect((await system.api('/v1/feature-views/customers/rows', { method: 'POST', json: { rows } })).status).toBe(200);
  });
  afterAll(async () => {
    await engine?.close();
    await system?.stop();
  });

  const predict = async (records: unknown[]) => {
    const response = await system.api('/v1/endpoints/churn/predict', { method: 'POST', json: { records } });
    return { status: response.status, body: (await response.json()) as { outputs: unknown; errors?: { path: string }[] } };
  };

  it('gives exactly the outputs of the same request with the features sent by hand; values sent win', async () => {
    const byKey = await predict([
      { customer_id: 'c1', age: 30, tenure: 2 },
      { customer_id: 'c2', age: 50, tenure: 7 },
    ]);
    const byHand = await predict([
      { age: 30, spend: 12.5, visits: 3, tenure: 2 },
      { age: 50, spend: 40, visits: 9, tenure: 7 },
    ]);
    expect(byKey.status).toBe(200);
    expect(byKey.body.outputs).toEqual(byHand.body.outputs);

    const overridden = await predict([{ customer_id: 'c1', age: 30, tenure: 2, spend: 99 }]);
    const overriddenByHand = await predict([{ age: 30, spend: 99, visits: 3, tenure: 2 }]);
    expect(overridden.body.outputs).toEqual(overriddenByHand.body.outputs);
    expect(overridden.body.outputs).not.toEqual((await predict([{ customer_id: 'c1', age: 30, tenure: 2 }])).body.outputs);
  });

  it('refuses records whose entity has no fresh values, naming the missing features', async () => {
    const unknown = await predict([{ customer_id: 'nobody', age: 30, tenure: 2 }]);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.map((e) => e.path)).toEqual(['records/0/spend', 'records/0/visits']);
    // Past the view's ttl the stored row does not answer.
    expect((await predict([{ customer_id: 'stale', age: 30, tenure: 2 }])).status).toBe(400);
  });

  it('logs the looked-up values with the row, as the model saw them', async () => {
    const entries: PredictionLogEntry[] = [];
    const app = createApp({
      ...createApiDependencies(system.clients, system.names),
      features: createFeatureStore(system.clients, system.names, engine),
      predictionLog: { log: (entry) => entries.push(entry), flush: async () => undefined, close: async () => undefined },
    });
    const response = await app.request('/v1/endpoints/churn/predict', {
      method: 'POST',
      body: JSON.stringify({ records: [{ customer_id: 'c2', age: 50, tenure: 7 }] }),
      headers: { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(entries[0].rows[0].inputs).toEqual({ customer_id: 'c2', age: 50, tenure: 7, spend: 40, visits: 9 });
  });
});
