import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '@flywheel/testing/drift/random';
import { createMonitorHandler } from '@flywheel/deploy';
import { driftResponseSchema } from '../packages/api/src/routes/monitoring.ts';
import { expectProblem, putEndpoint, registered, scaledModel } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

const PLANS = ['free', 'pro', 'team'];
const features = [
  { name: 'age', kind: 'numerical', input: 'x', index: 0 },
  { name: 'income', kind: 'numerical', input: 'x', index: 1 },
  { name: 'plan', kind: 'categorical', input: 'x', index: 2, categories: PLANS },
];

type Distribution =
  | { name: string; kind: 'numerical'; edges: number[]; reference: number[]; current: number[]; referenceCount: number; currentCount: number }
  | { name: string; kind: 'categorical'; categories: string[]; reference: number[]; current: number[]; referenceCount: number; currentCount: number };

describe('GET /v1/endpoints/{e}/drift?feature=: the reference vs current distribution of one column, over HTTP', () => {
  let system: TestSystem;
  const random = seededRandom(11);
  // The baseline's ages are N(40, 10) and a fifth of it is on the team plan; served ones are 20 years older, and all on team.
  const person = (ageShift: number, plan?: string) => ({
    age: random.normal(40 + ageShift, 10),
    income: random.normal(50_000, 8_000),
    plan: plan ?? PLANS[random.pick([5, 3, 2])],
  });
  const drift = async (query: string) => {
    const response = await system.api(`/v1/endpoints/shifted/drift${query}`);
    // What is answered is what the OpenAPI document says.
    if (response.status === 200) driftResponseSchema.parse(await response.clone().json());
    return response;
  };

  beforeAll(async () => {
    system = await startTestSystem({ consumers: { monitor: (clients, names) => createMonitorHandler(clients, names) } });
    await registered(system, 'shifted-model', scaledModel(2), { features });
    const baseline = await system.api('/v1/models/shifted-model/versions/1/baseline', { method: 'PUT', json: { records: Array.from({ length: 2000 }, () => person(0)) } });
    expect(baseline.status, await baseline.clone().text()).toBe(200);
    expect((await putEndpoint(system, 'shifted', { variants: [{ name: 'main', model: 'shifted-model', version: 1, weight: 100 }] })).status).toBeLessThan(300);
    const served = await system.api('/v1/endpoints/shifted/predict', { method: 'POST', json: { records: Array.from({ length: 500 }, () => person(20, 'team')) } });
    expect(served.status, await served.clone().text()).toBe(200);
    const deadline = Date.now() + 20_000;
    while (((await (await drift('')).json()) as { window: { count: number } }).window.count < 500) {
      if (Date.now() > deadline) throw new Error('the 500 served rows never reached the drift windows');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });
  afterAll(() => system?.stop());

  it('adds nothing unless asked, and is documented as a query parameter', async () => {
    expect(await (await drift('')).json()).not.toHaveProperty('distribution');
    const document = (await (await system.api('/openapi.json')).json()) as { paths: Record<string, { get: { parameters: Array<{ in: string; name: string }> } }> };
    expect(document.paths['/v1/endpoints/{endpoint}/drift'].get.parameters).toContainEqual(expect.objectContaining({ in: 'query', name: 'feature' }));
  });

  it('bins a numerical feature as the reference does, and shows the served mass moved up', async () => {
    const response = await drift('?feature=age');
    expect(response.status).toBe(200);
    const { distribution, features: columns } = (await response.json()) as { distribution: Distribution; features: Array<{ name: string; drifted: boolean }> };
    if (distribution.kind !== 'numerical') throw new Error(`age came back ${distribution.kind}`);
    expect(columns.find((c) => c.name === 'age')?.drifted).toBe(true);
    expect([distribution.name, distribution.referenceCount, distribution.currentCount]).toEqual(['age', 2000, 500]);
    expect(distribution.reference).toHaveLength(distribution.edges.length + 1);
    expect(distribution.current).toHaveLength(distribution.edges.length + 1);
    for (const shares of [distribution.reference, distribution.current]) expect(shares.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 9);
    // The reference's top tenth (above its 90th percentile, ≈ 52.8) holds most of the served ages (mean 60).
    const topTenth = (shares: number[]) => shares.slice(-2).reduce((s, x) => s + x, 0);
    expect(topTenth(distribution.reference)).toBeCloseTo(0.1, 1);
    expect(topTenth(distribution.current)).toBeGreaterThan(0.6);
  });

  it('gives a categorical feature its shares per category, then other and new categories', async () => {
    const { distribution } = (await (await drift('?feature=plan')).json()) as { distribution: Distribution };
    if (distribution.kind !== 'categorical') throw new Error(`plan came back ${distribution.kind}`);
    expect(distribution.categories).toEqual(PLANS);
    expect(distribution.reference[0]).toBeCloseTo(0.5, 1);
    expect(distribution.reference[2]).toBeCloseTo(0.2, 1);
    expect(distribution.current).toEqual([0, 0, 1, 0, 0]);
  });

  it('refuses a column the version does not have, naming those it has, and answers null for a range without traffic', async () => {
    const problem = await expectProblem(await drift('?feature=height'), 400);
    expect(problem.detail).toBe('Model shifted-model version 1 has no column "height"; its columns are age, income, plan, y[0], y[1], y[2].');
    await expectProblem(await drift('?feature='), 400);
    const empty = await drift('?feature=age&from=2026-01-01T00:00:00Z&to=2026-01-01T01:00:00Z');
    expect(await empty.json()).toMatchObject({ window: { count: 0 }, distribution: null });
  });
});
