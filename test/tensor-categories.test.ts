import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitorHandler } from '@flywheel/deploy';
import { eventually, queueDrained } from '@flywheel/testing/monitor-fixtures';
import { putEndpoint, registered, scaledModel } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

// `plan` reaches the model as its position in `categories` (free 0, pro 1, team 2) in a float column.
const PLANS = ['free', 'pro', 'team'];
const features = [
  { name: 'age', kind: 'numerical', input: 'x', index: 0 },
  { name: 'income', kind: 'numerical', input: 'x', index: 1 },
  { name: 'plan', kind: 'categorical', input: 'x', index: 2, categories: PLANS },
];

interface Drift {
  window: { count: number };
  features: Array<{ name: string; count: number; drifted: boolean }>;
  quality: { newCategories: Array<{ name: string; count: number; examples: unknown[] }> };
}

describe('tensor-form requests log categorical codes as their categories, over HTTP', () => {
  let system: TestSystem;
  const row = (i: number) => [30 + (i % 20), 40_000 + 500 * (i % 30), i % 3];

  beforeAll(async () => {
    system = await startTestSystem({ consumers: { monitor: (clients, names) => createMonitorHandler(clients, names) } });
    expect(await registered(system, 'coded', scaledModel(2), { features })).toBe(1);
    const records = Array.from({ length: 600 }, (_, i) => ({ age: row(i)[0], income: row(i)[1], plan: PLANS[i % 3] }));
    const baseline = await system.api('/v1/models/coded/versions/1/baseline', { method: 'PUT', json: { records } });
    expect(baseline.status, await baseline.clone().text()).toBe(200);
    expect((await putEndpoint(system, 'coded', { variants: [{ name: 'main', model: 'coded', version: 1, weight: 100 }] })).status).toBe(201);
  });
  afterAll(() => system?.stop());

  const drift = async () => (await (await system.api('/v1/endpoints/coded/drift')).json()) as Drift;

  it('reports no new category for codes sent through OIP infer, /v1 inputs and KServe V1, and still reports a code no category has', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => row(i));
    const oip = await system.api('/v2/models/coded/infer', { method: 'POST', json: { inputs: [{ name: 'x', datatype: 'FP32', shape: [rows.length, 3], data: rows.flat() }] } });
    expect(oip.status, await oip.clone().text()).toBe(200);
    const v1 = await system.api('/v1/endpoints/coded/predict', { method: 'POST', json: { inputs: { x: rows } } });
    expect(v1.status).toBe(200);
    const kserve = await system.api('/v1/models/coded:predict', { method: 'POST', json: { instances: rows } });
    expect(kserve.status, await kserve.clone().text()).toBe(200);

    const report = await eventually(drift, (d) => d.window?.count === 90);
    expect(report.quality.newCategories).toEqual([]);
    expect(report.features.find((f) => f.name === 'plan')).toMatchObject({ count: 90, drifted: false });

    // Code 7 stands for no category: that is new, and is reported as sent.
    const unknown = await system.api('/v2/models/coded/infer', { method: 'POST', json: { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [35, 41_000, 7] }] } });
    expect(unknown.status).toBe(200);
    const after = await eventually(drift, (d) => d.window.count === 91);
    await queueDrained(system.clients.sqs, system.names.queues.predictionLogs);
    expect(after.quality.newCategories).toEqual([expect.objectContaining({ name: 'plan', count: 1, examples: ['7'] })]);
  }, 30_000);
});
