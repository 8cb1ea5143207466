import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@flywheel/core';
import { S3DatasetStore, encodeArchive } from '@flywheel/aws';
import { createFeatureStore, createEventsHandler, createTrainHandler } from '@flywheel/deploy';
import { DuckDbFeatureEngine } from '@flywheel/aws/duckdb';
import type { PredictionLogRecord, Run } from '@flywheel/core';
import { archiveGroups } from '@flywheel/monitor';
import { generateTabularDataset, registryFeatures, registryTask, trainChallenger } from '@flywheel/train';
import { registered } from '@flywheel/testing/models';
import { MemoryLabels, eventually, putRetrainingEndpoint } from '@flywheel/testing/retrain-fixtures';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

const iso = (ms: number) => new Date(ms).toISOString();

describe('retraining a model whose features come from a feature view', () => {
  let system: TestSystem;
  let engine: DuckDbFeatureEngine | undefined;
  const labels = new MemoryLabels();

  beforeAll(async () => {
    system = await startTestSystem({
      consumers: {
        events: (clients, names) => createEventsHandler(clients, names, { logger: silentLogger }),
        train: (clients, names) =>
          createTrainHandler(clients, names, {
            labels: labels.source,
            logger: silentLogger,
            features: createFeatureStore(clients, names, (engine = new DuckDbFeatureEngine(clients.s3, names.bucket))),
          }),
      },
    });
  });
  afterAll(async () => {
    await system?.stop();
    await engine?.close();
  });

  it('trains on the values the view held at each prediction, not the logged ones nor later ones, and says so in the dataset manifest', async () => {
    const view = { entity: 'account', features: [{ name: 'usage_hours', kind: 'numerical' }] };
    expect((await system.api('/v1/feature-views/usage', { method: 'PUT', json: view })).status).toBe(201);
    const before = generateTabularDataset({ seed: 31, rows: 1000, concept: 1 });
    const trained = await trainChallenger({ dataset: before, params: { trees: { rounds: 20 } } });
    const features = registryFeatures(before.features, trained.layout).map((f) => (f.name === 'usage_hours' ? { ...f, view: 'usage' } : f));
    const version = await registered(system, 'usage-churn', trained.bytes, { features, task: registryTask(before.task, trained.layout) });
    await putRetrainingEndpoint(system, 'usage-churn', 'usage-churn', version);

    // Served traffic: each prediction's account, with a usage the caller sent that was wrong (0).
    const start = Date.now() - 3 * 3_600_000;
    const traffic = generateTabularDataset({ seed: 32, rows: 600, concept: 2, covariateShift: 1, start: iso(start), intervalMs: 10_000, idPrefix: 'usage' });
    const accountOf = (n: number) => `acct-${n}`;
    const records: PredictionLogRecord[] = traffic.examples.map((example, n) => ({
      id: example.key,
      time: example.time,
      endpoint: 'usage-churn',
      variant: 'control',
      model: 'usage-churn',
      version,
      configVersion: 1,
      inputs: { ...example.features, usage_hours: 0, account: accountOf(n) },
      latencyMs: 2,
      status: 'ok',
    }));
    for (const [key, group] of archiveGroups(
      'usage-traffic',
      records,
      records.map((record) => JSON.stringify(record)),
    )) {
      await system.clients.s3.send(new PutObjectCommand({ Bucket: system.names.bucket, Key: key, Body: await encodeArchive(group) }));
    }
    labels.add('usage-churn', traffic);
    // The view: each account's true usage a minute before its prediction, and a value from after it that must never be used.
    const rows = traffic.examples.flatMap((example, n) => [
      { account: accountOf(n), event_time: iso(Date.parse(example.time) - 60_000), usage_hours: example.features.usage_hours as number },
      { account: accountOf(n), event_time: iso(Date.parse(example.time) + 5_000), usage_hours: 999 },
    ]);
    expect((await system.api('/v1/feature-views/usage/rows', { method: 'POST', json: { rows } })).status).toBe(200);

    const response = await system.api('/v1/models/usage-churn/retrain', { method: 'POST', json: { reason: 'view-backed retrain' } });
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    const done = await eventually(
      async () => {
        const run = (await (await system.api(`/v1/runs/${runId}`)).json()) as Run;
        return run.status === 'succeeded' || run.status === 'failed' ? run : undefined;
      },
      'the run to finish',
      60_000,
    );
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('succeeded');
    expect(done.dataset?.featureViews).toEqual([{ view: 'usage', version: 1, entity: 'account', features: ['usage_hours'], rows: 600, matched: 600 }]);
    expect(done.logs.some((line) => line.includes('joined usage_hours from feature view usage point-in-time: 600 of 600 rows answered'))).toBe(true);

    const lines = (await new S3DatasetStore(system.clients.s3, system.names.bucket).lines(done.dataset!.sha256)) as { key: string; features: Record<string, unknown> }[];
    const truth = new Map(traffic.examples.map((example) => [example.key, example.features.usage_hours]));
    expect(lines).toHaveLength(600);
    for (const line of lines) expect(line.features.usage_hours).toBe(truth.get(line.key));

    const retrained = await (await system.api(`/v1/models/usage-churn/versions/${done.version}`)).json();
    expect(retrained.features.find((f: { name: string }) => f.name === 'usage_hours').view).toBe('usage');
  }, 90_000);
});
