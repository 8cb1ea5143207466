import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '@flywheel/testing/drift/random';
import { S3LogArchiveReader } from '@flywheel/aws';
import { createMonitorHandler } from '@flywheel/deploy';
import { eventually, queueDrained } from '@flywheel/testing/monitor-fixtures';
import { expectProblem, putEndpoint, registered, scaledModel } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

const PLANS = ['free', 'pro', 'team'];
const features = [
  { name: 'age', kind: 'numerical', input: 'x', index: 0 },
  { name: 'income', kind: 'numerical', input: 'x', index: 1 },
  { name: 'plan', kind: 'categorical', input: 'x', index: 2, categories: PLANS },
];

interface Drift {
  window: { from: string; to: string; count: number };
  drifted: boolean;
  model: string;
  version: number;
  features: Array<{ name: string; kind: string; method: string; drifted: boolean; statistic: number; pValue?: number; count: number }>;
  predictions: Array<{ name: string; drifted: boolean }>;
  quality: Record<string, unknown[]>;
  health: { requests: number; errors: number; p50: number | null; p95: number | null };
}

describe('monitoring end to end: predictions → logs → windows → drift, over HTTP', () => {
  let system: TestSystem;
  const random = seededRandom(5);
  const person = (ageShift = 0) => ({
    age: random.normal(40 + ageShift, 10),
    income: random.normal(50_000, 8_000),
    plan: PLANS[random.pick([5, 3, 2])],
  });

  beforeAll(async () => {
    system = await startTestSystem({ consumers: { monitor: (clients, names) => createMonitorHandler(clients, names) } });
    const version = await registered(system, 'churn-model', scaledModel(2), { features });
    expect(version).toBe(1);
    const baseline = await system.api('/v1/models/churn-model/versions/1/baseline', {
      method: 'PUT',
      json: { records: Array.from({ length: 3000 }, () => person()) },
    });
    expect(baseline.status, await baseline.clone().text()).toBe(200);
    expect(await baseline.json()).toMatchObject({
      model: 'churn-model',
      version: 1,
      records: 3000,
      features: [
        { name: 'age', kind: 'numerical' },
        { name: 'income', kind: 'numerical' },
        { name: 'plan', kind: 'categorical', categories: 3 },
      ],
      // The model ran on the baseline: y = 2x, one output column per position.
      outputs: [{ name: 'y[0]' }, { name: 'y[1]' }, { name: 'y[2]' }],
    });
    await registered(system, 'fresh-model', scaledModel(5), { features });
    expect((await putEndpoint(system, 'unprofiled', { variants: [{ name: 'main', model: 'fresh-model', version: 1, weight: 100 }] })).status).toBeLessThan(300);
    expect((await system.api('/v1/endpoints/unprofiled/predict', { method: 'POST', json: { records: [person()] } })).status).toBe(200);
  });
  afterAll(() => system?.stop());

  it('counts 3,000 predicted rows exactly, per variant too, and flags the shifted feature but not the stable ones', async () => {
    const config = {
      variants: [
        { name: 'a', model: 'churn-model', version: 1, weight: 50 },
        { name: 'b', model: 'churn-model', version: 1, weight: 50 },
      ],
    };
    expect((await putEndpoint(system, 'churn', config)).status).toBeLessThan(300);
    const served = { a: 0, b: 0 } as Record<string, number>;
    const requests = Array.from({ length: 300 }, (_, i) => ({ unit: `user-${i}`, records: Array.from({ length: 10 }, () => person(10)) }));
    for (let i = 0; i < requests.length; i += 20) {
      await Promise.all(
        requests.slice(i, i + 20).map(async (body) => {
          const response = await system.api('/v1/endpoints/churn/predict', { method: 'POST', json: body });
          expect(response.status).toBe(200);
          served[response.headers.get('flywheel-variant')!] += body.records.length;
        }),
      );
    }
    const drift = await eventuallyDrift(system, 'churn', (d) => d.window.count >= 3000);
    await queueDrained(system.clients.sqs, system.names.queues.predictionLogs);
    const final = (await (await system.api('/v1/endpoints/churn/drift')).json()) as Drift;
    expect(final.window.count).toBe(3000);
    expect(final.health.requests).toBe(300);
    expect(final.health.errors).toBe(0);
    expect(final.health.p50).toBeGreaterThan(0);

    const byName = Object.fromEntries(final.features.map((f) => [f.name, f]));
    expect(byName.age).toMatchObject({ drifted: true, method: 'ks+wasserstein', count: 3000 });
    expect(byName.age.statistic).toBeGreaterThan(0.8);
    expect(byName.age.pValue).toBeLessThan(1e-6);
    expect(byName.income.drifted).toBe(false);
    expect(byName.plan).toMatchObject({ drifted: false, method: 'chi-square+jensen-shannon' });
    expect(Object.fromEntries(final.predictions.map((p) => [p.name, p.drifted]))).toEqual({ 'y[0]': true, 'y[1]': false, 'y[2]': false });
    expect(final.drifted).toBe(true);
    expect(drift.model).toBe('churn-model');

    for (const variant of ['a', 'b']) {
      const one = (await (await system.api(`/v1/endpoints/churn/drift?variant=${variant}`)).json()) as Drift;
      expect(one.window.count).toBe(served[variant]);
    }
    expect(served.a + served.b).toBe(3000);
    expect(served.a).toBeGreaterThan(0);
    expect(served.b).toBeGreaterThan(0);

    const metrics = await (await system.api('/metrics')).text();
    const total = (variant: string) =>
      Number(new RegExp(`^flywheel_predictions_total\\{endpoint="churn",variant="${variant}",model="churn-model",version="1"\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
    expect(total('a') + total('b')).toBe(300);
    expect(metrics).toMatch(/^flywheel_prediction_latency_seconds_bucket\{endpoint="churn",variant="a",model="churn-model",version="1",le="\+Inf"\} \d+$/m);
  });

  it('logs whole units only at the sampling rate, without the redacted fields or the raw unit, and archives them', async () => {
    const config = { variants: [{ name: 'main', model: 'churn-model', version: 1, weight: 100 }], logging: { percent: 50, redact: ['income'] } };
    expect((await putEndpoint(system, 'private', config)).status).toBeLessThan(300);
    for (let round = 0; round < 4; round++) {
      await Promise.all(
        Array.from({ length: 40 }, async (_, u) => {
          const response = await system.api('/v1/endpoints/private/predict', { method: 'POST', json: { unit: `person-${u}@example.com`, records: [person()] } });
          expect(response.status).toBe(200);
        }),
      );
    }
    await eventuallyDrift(system, 'private', (d) => d.window.count > 0);
    await queueDrained(system.clients.sqs, system.names.queues.predictionLogs);
    const records = await archived(system, 'private');
    const byUnit = new Map<string, number>();
    for (const record of records) byUnit.set(record.unit as string, (byUnit.get(record.unit as string) ?? 0) + 1);
    // Each logged unit has all 4 of its requests; about half of the 40 units are logged.
    expect([...byUnit.values()].every((n) => n === 4)).toBe(true);
    expect(byUnit.size).toBeGreaterThan(10);
    expect(byUnit.size).toBeLessThan(30);
    const text = JSON.stringify(records);
    expect(text).not.toContain('example.com');
    expect(records.every((r) => !('income' in (r.inputs as object)))).toBe(true);
    expect(records.every((r) => JSON.stringify(r.redacted) === '["income"]')).toBe(true);
    expect(records[0]).toMatchObject({ endpoint: 'private', variant: 'main', model: 'churn-model', version: 1, status: 'ok' });
    expect(Object.keys(records[0].inputs as object).sort()).toEqual(['age', 'plan']);

    const drift = (await (await system.api('/v1/endpoints/private/drift')).json()) as Drift;
    expect(drift.window.count).toBe(records.length);
  });

  it('archives a tensor row as the model saw it: packed in the archive, read back as the same numbers', async () => {
    await registered(system, 'tensor-model', scaledModel(2, 'x', 16));
    expect((await putEndpoint(system, 'tensor', { variants: [{ name: 'main', model: 'tensor-model', version: 1, weight: 100 }] })).status).toBeLessThan(300);
    const row = Array.from({ length: 16 }, (_, i) => Math.sin(i + 0.5));
    const response = await system.api('/v1/endpoints/tensor/predict', { method: 'POST', json: { inputs: { x: [row] } } });
    expect(response.status).toBe(200);
    await queueDrained(system.clients.sqs, system.names.queues.predictionLogs);
    const seen = row.map(Math.fround);
    const [raw] = await eventually(
      () => archived(system, 'tensor'),
      (records) => records.length === 1,
    );
    expect(raw.inputs).toEqual({ x: { $float32: expect.any(String) } });
    const read = [];
    for await (const record of new S3LogArchiveReader(system.clients.s3, system.names.bucket).records('tensor', WIDE_RANGE)) read.push(record);
    expect(read).toHaveLength(1);
    expect(read[0].inputs).toEqual({ x: seen });
    expect(read[0].outputs).toEqual({ y: seen.map((v) => Math.fround(v * 2)) });
  });

  it('answers bad baseline and drift requests with problems, and changes nothing', async () => {
    const put = (path: string, init: RequestInit & { json?: unknown; key?: string }) => system.api(path, { method: 'PUT', ...init });
    await expectProblem(await put('/v1/models/churn-model/versions/9/baseline', { json: { records: Array.from({ length: 20 }, () => person()) } }), 404);
    const problem = await expectProblem(await put('/v1/models/churn-model/versions/1/baseline', { json: { records: [{ age: 1 }] } }), 400);
    expect(problem.errors?.[0]).toMatchObject({ path: '/', message: expect.stringContaining('at least 10') });
    await expectProblem(await put('/v1/models/churn-model/versions/1/baseline', { body: 'age,plan', headers: { 'content-type': 'text/csv' } }), 415);
    await expectProblem(await put('/v1/models/churn-model/versions/1/baseline', { body: '{"age": 1}\n{oops', headers: { 'content-type': 'application/x-ndjson' } }), 400);
    await registered(system, 'bare-model', scaledModel(3));
    await expectProblem(await put('/v1/models/bare-model/versions/1/baseline', { json: { records: Array.from({ length: 20 }, () => person()) } }), 422);
    const readOnly = await createKey(system, ['read']);
    await expectProblem(await put('/v1/models/churn-model/versions/1/baseline', { json: { records: [] }, key: readOnly }), 403);

    await expectProblem(await system.api('/v1/endpoints/churn/drift?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z'), 400);
    await expectProblem(await system.api('/v1/endpoints/churn/drift?from=yesterday'), 400);
    await expectProblem(await system.api('/v1/endpoints/churn/drift?from=2020-01-01T00:00:00Z&to=2021-01-01T00:00:00Z'), 400);
    const empty = (await (await system.api('/v1/endpoints/nobody/drift')).json()) as Drift;
    expect(empty).toMatchObject({ window: { count: 0 }, drifted: false, features: [] });

    // A baseline sent as NDJSON replaces the earlier one; still the same model, so still one profile.
    const ndjson = Array.from({ length: 50 }, () => JSON.stringify(person())).join('\n');
    const replaced = await put('/v1/models/churn-model/versions/1/baseline', { body: ndjson, headers: { 'content-type': 'application/x-ndjson' } });
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ records: 50 });
  });

  it('says when the version serving an endpoint has no baseline', async () => {
    // Its one prediction was sent before the other tests ran (see beforeAll).
    const problem = await eventually404(system, 'unprofiled');
    expect(problem.detail).toMatch(/fresh-model version 1 has no baseline/);
  });
});

async function eventuallyDrift(system: TestSystem, endpoint: string, done: (drift: Drift) => boolean, timeoutMs = 20_000): Promise<Drift> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await system.api(`/v1/endpoints/${endpoint}/drift`);
    const drift = (await response.json()) as Drift;
    if (response.status === 200 && done(drift)) return drift;
    if (Date.now() > deadline) throw new Error(`drift of ${endpoint} not as expected: ${JSON.stringify(drift).slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function eventually404(system: TestSystem, endpoint: string): Promise<{ detail: string }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await system.api(`/v1/endpoints/${endpoint}/drift`);
    if (response.status === 404) return expectProblem(response, 404);
    if (Date.now() > deadline) throw new Error(`expected a 404, got ${response.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const WIDE_RANGE = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() };

async function archived(system: TestSystem, endpoint: string): Promise<Record<string, unknown>[]> {
  const listed = await system.clients.s3.send(new ListObjectsV2Command({ Bucket: system.names.bucket, Prefix: `logs/endpoint=${endpoint}/` }));
  const records: Record<string, unknown>[] = [];
  for (const object of listed.Contents ?? []) {
    expect(object.Key).toMatch(new RegExp(`^logs/endpoint=${endpoint}/date=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}/[\\w-]+\\.ndjson\\.gz$`));
    const body = await system.clients.s3.send(new GetObjectCommand({ Bucket: system.names.bucket, Key: object.Key }));
    const text = gunzipSync(await body.Body!.transformToByteArray()).toString('utf8');
    records.push(
      ...text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    );
  }
  return records;
}

async function createKey(system: TestSystem, scopes: string[]): Promise<string> {
  const response = await system.api('/v1/keys', { method: 'POST', json: { name: `key-${scopes.join('-')}`, scopes } });
  return ((await response.json()) as { key: string }).key;
}
