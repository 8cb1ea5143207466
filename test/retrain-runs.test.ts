import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@flywheel/core';
import type { Run } from '@flywheel/core';
import { createEventsHandler, createTrainHandler } from '@flywheel/deploy';
import { expectProblem } from '@flywheel/testing/models';
import { MemoryLabels, archiveShiftedTraffic, eventually, putRetrainingEndpoint, registerConceptOneModel } from '@flywheel/testing/retrain-fixtures';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';
import { runSchema } from '../packages/api/src/routes/runs.ts';
import { z } from 'zod';
import { eventSchema } from '../packages/api/src/routes/events.ts';

describe('retraining runs over HTTP', () => {
  let system: TestSystem;
  const labels = new MemoryLabels();

  beforeAll(async () => {
    system = await startTestSystem({
      consumers: {
        events: (clients, names) => createEventsHandler(clients, names, { logger: silentLogger }),
        train: (clients, names) => createTrainHandler(clients, names, { labels: labels.source, logger: silentLogger }),
      },
    });
  });
  afterAll(() => system?.stop());

  async function run(runId: string): Promise<Run> {
    const response = await system.api(`/v1/runs/${runId}`);
    expect(response.status).toBe(200);
    // What is answered is what the OpenAPI document says.
    return runSchema.parse(await response.json()) as Run;
  }
  const finished = (runId: string) =>
    eventually(
      async () => {
        const current = await run(runId);
        return current.status === 'succeeded' || current.status === 'failed' ? current : undefined;
      },
      `run ${runId} to finish`,
      50_000,
    );

  it('trains on the endpoint’s logged, labelled traffic, registers the version with lineage and starts a canary', async () => {
    const { version } = await registerConceptOneModel(system, 'churn');
    await putRetrainingEndpoint(system, 'churn', 'churn', version);
    labels.add('churn', await archiveShiftedTraffic(system, 'churn', 'churn', version));

    const response = await system.api('/v1/models/churn/retrain', { method: 'POST', json: { reason: 'concept change suspected' } });
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    const done = await finished(runId);
    expect(done).toMatchObject({
      status: 'succeeded',
      model: 'churn',
      endpoint: 'churn',
      trigger: { kind: 'manual', reason: 'concept change suspected' },
      attempts: 1,
      parentVersion: 1,
      version: 2,
      params: { algorithm: 'boosted-trees', holdoutFraction: 0.2 },
      dataset: { rows: 1500, trainRows: 1200, holdoutRows: 300, features: expect.arrayContaining(['plan', 'usage_hours']) },
      metrics: { primary: 'accuracy' },
      canary: { started: true },
    });
    expect(done.metrics!.challenger.accuracy - done.metrics!.champion!.accuracy).toBeGreaterThan(0.1);
    expect(done.timings).toMatchObject({ trainMs: expect.any(Number), registerMs: expect.any(Number) });
    expect(done.logs.some((line) => line.includes('registered churn version 2'))).toBe(true);

    const registeredVersion = await (await system.api('/v1/models/churn/versions/2')).json();
    expect(registeredVersion.lineage).toEqual({
      runId,
      dataset: { name: 'churn', version: 1, sha256: done.dataset!.sha256 },
      manifestSha256: done.dataset!.sha256,
      rows: 1500,
      timeRange: done.dataset!.timeRange,
      params: done.params,
      metrics: { challenger: done.metrics!.challenger, champion: done.metrics!.champion },
      parentVersion: 1,
    });
    expect(registeredVersion.task).toEqual({ type: 'binary-classification', output: 'probabilities', classes: [0, 1] });

    const endpoint = await (await system.api('/v1/endpoints/churn')).json();
    expect(endpoint.config.variants).toEqual([
      { name: 'control', model: 'churn', version: 1, weight: 90 },
      { name: 'candidate', model: 'churn', version: 2, weight: 10 },
    ]);
    expect(endpoint.change).toMatchObject({ actor: 'retrain', reason: expect.stringContaining(runId) });

    const events = await eventually(async () => {
      // What is answered is what the OpenAPI document says, for each type of event a run emits.
      const { events } = z.object({ events: z.array(eventSchema) }).parse(await (await system.api('/v1/events?limit=1000')).json()) as {
        events: { type: string; subject: string }[];
      };
      const types = events.filter((e) => e.subject === `runs/${runId}` || e.type !== 'dev.flywheel.retrain.requested').map((e) => e.type);
      return [
        'dev.flywheel.retrain.requested',
        'dev.flywheel.retrain.started',
        'dev.flywheel.model.version.registered',
        'dev.flywheel.endpoint.updated',
        'dev.flywheel.retrain.completed',
      ].every((t) => types.includes(t))
        ? types
        : undefined;
    }, 'the run’s events to be recorded');
    expect(events.indexOf('dev.flywheel.retrain.requested')).toBeLessThan(events.indexOf('dev.flywheel.retrain.completed'));

    const listed = await (await system.api('/v1/models/churn/runs')).json();
    for (const listedRun of listed.runs) runSchema.parse(listedRun);
    expect(listed.runs.map((r: Run) => r.runId)).toContain(runId);
  }, 60_000);

  it('is idempotent with an Idempotency-Key, and joins a run already active for the model', async () => {
    const { version } = await registerConceptOneModel(system, 'idem');
    await putRetrainingEndpoint(system, 'idem', 'idem', version);
    labels.add('idem', await archiveShiftedTraffic(system, 'idem', 'idem', version, 400, 303));
    const post = (key?: string) =>
      system.api('/v1/models/idem/retrain', { method: 'POST', headers: key ? { 'idempotency-key': key } : {}, json: { params: { trees: { rounds: 15 } } } });
    const [a, b] = await Promise.all([post('k-1'), post('k-1')]);
    const first = (await a.json()) as { runId: string };
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(((await b.json()) as { runId: string }).runId).toBe(first.runId);
    const joined = (await (await post()).json()) as { runId: string; coalesced?: boolean };
    if (joined.coalesced) expect(joined.runId).toBe(first.runId);
    await finished(first.runId);
    expect(((await (await post('k-1')).json()) as { runId: string }).runId).toBe(first.runId);
    const runs = (await (await system.api('/v1/models/idem/runs')).json()).runs as Run[];
    expect(runs.filter((r) => r.trigger.kind === 'manual').length).toBeLessThanOrEqual(2);
  }, 60_000);

  it('records a failed run with its error, and a retry runs it again once the cause is fixed', async () => {
    const { version } = await registerConceptOneModel(system, 'nolabels');
    await putRetrainingEndpoint(system, 'nolabels', 'nolabels', version);
    const shifted = await archiveShiftedTraffic(system, 'nolabels', 'nolabels', version, 400, 404);
    const { runId } = (await (await system.api('/v1/models/nolabels/retrain', { method: 'POST', json: { params: { trees: { rounds: 15 } } } })).json()) as { runId: string };
    const failed = await finished(runId);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, error: expect.stringMatching(/only 0 labelled rows/) });
    await expectProblem(await system.api(`/v1/runs/${runId}/retry`, { method: 'POST', key: null }), 401);

    labels.add('nolabels', shifted);
    const retry = await system.api(`/v1/runs/${runId}/retry`, { method: 'POST' });
    expect(retry.status).toBe(202);
    const succeeded = await finished(runId);
    expect(succeeded).toMatchObject({ status: 'succeeded', attempts: 2, version: 2 });
    expect(succeeded.error).toBeUndefined();
    await expectProblem(await system.api(`/v1/runs/${runId}/retry`, { method: 'POST' }), 409);
  }, 60_000);

  it('trains on the champion’s recorded dataset too when asked, and on the recent window alone by default', async () => {
    const { version } = await registerConceptOneModel(system, 'window');
    await putRetrainingEndpoint(system, 'window', 'window', version);
    labels.add('window', await archiveShiftedTraffic(system, 'window', 'window', version, 400, 505));
    const cheap = { trees: { rounds: 15 } };
    const first = await finished(((await (await system.api('/v1/models/window/retrain', { method: 'POST', json: { params: cheap } })).json()) as { runId: string }).runId);
    expect(first).toMatchObject({ status: 'succeeded', version: 2, dataset: { rows: 400 } });
    // Version 2 becomes the champion; newer traffic arrives in the last half hour.
    await putRetrainingEndpoint(system, 'window', 'window', 2);
    labels.add('window', await archiveShiftedTraffic(system, 'window', 'window', 2, 300, 606, { agoMs: 1_500_000, spanMs: 1_200_000 }));
    const recent = { ...cheap, lookbackDays: 1 / 48 };
    const alone = await finished(((await (await system.api('/v1/models/window/retrain', { method: 'POST', json: { params: recent } })).json()) as { runId: string }).runId);
    expect(alone).toMatchObject({ status: 'succeeded', parentVersion: 2, dataset: { rows: 300 } });
    const withPrevious = await finished(
      ((await (await system.api('/v1/models/window/retrain', { method: 'POST', json: { params: { ...recent, includePrevious: true } } })).json()) as { runId: string }).runId,
    );
    expect(withPrevious).toMatchObject({ status: 'succeeded', parentVersion: 2, dataset: { rows: 700 }, params: { includePrevious: true } });
    expect(withPrevious.logs.some((line) => line.includes('added 400 rows of the champion'))).toBe(true);
  }, 60_000);

  it('answers bad requests with problem details and changes nothing', async () => {
    await expectProblem(await system.api('/v1/models/nope/retrain', { method: 'POST' }), 404);
    const { version } = await registerConceptOneModel(system, 'orphan');
    expect(version).toBe(1);
    const orphan = await expectProblem(await system.api('/v1/models/orphan/retrain', { method: 'POST' }), 409);
    expect(orphan.detail).toMatch(/No endpoint serves model orphan/);
    const badParams = await expectProblem(await system.api('/v1/models/churn/retrain', { method: 'POST', json: { params: { algorithm: 'forest' } } }), 400);
    expect(badParams.errors?.[0].path).toBe('params/algorithm');
    await expectProblem(await system.api('/v1/models/churn/retrain', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } }), 415);
    await expectProblem(await system.api('/v1/models/churn/retrain', { method: 'POST', json: { reason: 'x'.repeat(20_000) } }), 413);
    await expectProblem(await system.api('/v1/models/churn/retrain', { method: 'POST', headers: { 'idempotency-key': 'has space' } }), 400);
    await expectProblem(await system.api('/v1/runs/run-000000000000000000000000'), 404);
    await expectProblem(await system.api('/v1/runs/not-a-run'), 404);
    expect(((await (await system.api('/v1/models/orphan/runs')).json()) as { runs: unknown[] }).runs).toEqual([]);
  }, 60_000);
});
