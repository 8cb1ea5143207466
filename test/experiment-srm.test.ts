import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoEndpointStore, DynamoExperimentStore } from '@flywheel/aws';
import { assignVariant, requestBucket } from '@flywheel/core';
import { classifierEndpoint, experimentWhen, servedCount, startMonitoredSystem, variantOf } from '@flywheel/testing/feedback-fixtures';
import type { TestSystem } from '@flywheel/testing/system';
import { experimentResponseSchema } from '../packages/api/src/routes/experiment.ts';

/** `count` distinct sticky units the endpoint's split sends to `variant`. */
async function unitsFor(system: TestSystem, endpoint: string, variant: string, count: number): Promise<string[]> {
  const record = (await new DynamoEndpointStore(system.clients.dynamodb, system.names.tables.registry).current(endpoint))!;
  const units: string[] = [];
  for (let i = 0; units.length < count; i++) {
    const unit = `${endpoint}-unit-${i}`;
    if (assignVariant(record.allocation, requestBucket(record.salt, { unit, sticky: record.config.sticky })) === variant) units.push(unit);
  }
  return units;
}

/** Pearson's χ² of two counts against an even split. */
const evenChiSquare = (a: number, b: number) => (((a - b) / 2) ** 2 / ((a + b) / 2)) * 2;

describe('the sample-ratio check counts the split’s draws, over HTTP', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startMonitoredSystem();
    await classifierEndpoint(system, 'bulk');
    await classifierEndpoint(system, 'skewed');
  });
  afterAll(() => system?.stop());

  const predict = async (endpoint: string, unit: string, rows: number) => {
    const response = await system.api(`/v1/endpoints/${endpoint}/predict`, { method: 'POST', json: { unit, inputs: { x: Array.from({ length: rows }, () => [1, 0, 0]) } } });
    expect(response.status, await response.clone().text()).toBe(200);
  };

  it('raises no alarm for 100-row requests from units that fit the split', async () => {
    // 22 units against 18 on a 50/50 split is chance (χ² 0.4); as rows, 2,200 against 1,800 would be χ² 40.
    const units = [...(await unitsFor(system, 'bulk', 'control', 22)), ...(await unitsFor(system, 'bulk', 'candidate', 18))];
    await Promise.all(units.map((unit) => predict('bulk', unit, 100)));
    // A unit that comes back is the same draw.
    await Promise.all(units.slice(0, 5).map((unit) => predict('bulk', unit, 100)));

    const view = await experimentWhen(system, 'bulk', (v) => servedCount(v) === 4500);
    expect(variantOf(view, 'control')).toMatchObject({ count: 2700, assigned: 22 });
    expect(variantOf(view, 'candidate')).toMatchObject({ count: 1800, assigned: 18 });
    expect(view.srm.chiSquare).toBeCloseTo(evenChiSquare(22, 18), 10);
    expect(view.srm.mismatch).toBe(false);
    expect(evenChiSquare(2700, 1800)).toBeGreaterThan(100);
  }, 30_000);

  it('still raises one when the units that reach the log do not fit the split', async () => {
    // 60 units against 20: χ² = 20, p ≈ 8e-6.
    const units = [...(await unitsFor(system, 'skewed', 'control', 60)), ...(await unitsFor(system, 'skewed', 'candidate', 20))];
    await Promise.all(units.map((unit) => predict('skewed', unit, 1)));
    const view = await experimentWhen(system, 'skewed', (v) => servedCount(v) === 80);
    // What is answered is what the OpenAPI document says.
    experimentResponseSchema.parse(view);
    expect(view.variants.map((v) => [v.name, v.assigned])).toEqual([
      ['control', 60],
      ['candidate', 20],
    ]);
    expect(view.srm.chiSquare).toBeCloseTo(20, 10);
    expect(view.srm.mismatch).toBe(true);
  }, 30_000);

  it('counts a unit once however often its batch is delivered, and not again for a later batch', async () => {
    const table = system.names.tables.monitoring;
    const key = { endpoint: 'units-once', configVersion: 1, variant: 'control' };
    const served = (units: string[]) => [{ key, rows: 10 * units.length, requests: units.length, unitlessRequests: 0, units }];
    // The first delivery dies after claiming its units, before its add.
    let failAdd = true;
    const dying = new Proxy(system.clients.dynamodb, {
      get(target, property) {
        if (property !== 'send') return Reflect.get(target, property, target);
        return (command: { input: { UpdateExpression?: string } }) => {
          if (failAdd && command.input.UpdateExpression?.includes('ADD #applied')) {
            failAdd = false;
            return Promise.reject(new Error('injected: the add failed'));
          }
          return target.send(command as never);
        };
      },
    }) as DynamoDBClient;
    await expect(new DynamoExperimentStore(dying, table).addServed('batch-1', served(['u1', 'u2', 'u3']))).rejects.toThrow(/injected/);
    const store = new DynamoExperimentStore(system.clients.dynamodb, table);
    await store.addServed('batch-1', served(['u1', 'u2', 'u3']));
    await store.addServed('batch-1', served(['u1', 'u2', 'u3']));
    // A later batch: two units come back, one is new.
    await store.addServed('batch-2', served(['u2', 'u3', 'u4']));
    const [tally] = await store.tallies('units-once', 1, 1);
    expect(tally.tally).toMatchObject({ served: 60, requests: 6, units: 4 });
  });

  it('counts the batches of one invocation together, a unit in several of them once, and each batch once when some come again', async () => {
    const store = new DynamoExperimentStore(system.clients.dynamodb, system.names.tables.monitoring);
    const key = { endpoint: 'units-together', configVersion: 1, variant: 'control' };
    const batch = (batchId: string, units: string[]) => ({ batchId, served: [{ key, rows: 2 * units.length, requests: units.length, unitlessRequests: 0, units }] });
    await store.addServedBatches([batch('t-1', ['u1', 'u2']), batch('t-2', ['u2', 'u3'])]);
    // t-2 delivered again beside a new batch, and t-1 alone.
    await store.addServedBatches([batch('t-2', ['u2', 'u3']), batch('t-3', ['u3', 'u4'])]);
    await store.addServedBatches([batch('t-1', ['u1', 'u2'])]);
    const [tally] = await store.tallies('units-together', 1, 1);
    expect(tally.tally).toMatchObject({ served: 12, requests: 6, units: 4 });
  });
});
