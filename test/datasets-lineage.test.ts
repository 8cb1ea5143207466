import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { DatasetVersion, ModelVersion, Run } from '@flywheel/core';
import { sha256Hex } from '@flywheel/inference';
import { retrainableShape, trainChallenger, type Example } from '@flywheel/train';
import { createEventsHandler } from '../functions/events.ts';
import { createTrainHandler } from '../functions/train.ts';
import { expectProblem } from './support/models.ts';
import { MemoryLabels, archiveShiftedTraffic, eventually, putRetrainingEndpoint, registerConceptOneModel } from './support/retrain-fixtures.ts';
import { startTestSystem, type TestSystem } from './support/system.ts';

const quiet = () => undefined;
const cheap = { trees: { rounds: 15 } };

/**
 * A retrained version as the demo makes one — a concept-1 model serving shifted traffic, retrained
 * on its labelled logs and started as a canary — and what the registry keeps about where it came from.
 */
describe('datasets as versions, repeatable runs, lineage both ways', () => {
  let system: TestSystem;
  const labels = new MemoryLabels();
  let first: Run;

  const json = async <T>(path: string): Promise<T> => {
    const response = await system.api(path);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as T;
  };
  const retrain = async (body: unknown): Promise<Run> => {
    const response = await system.api('/v1/models/churn/retrain', { method: 'POST', json: body });
    expect(response.status, await response.clone().text()).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    return eventually(async () => {
      const run = await json<Run>(`/v1/runs/${runId}`);
      return run.status === 'succeeded' || run.status === 'failed' ? run : undefined;
    }, `run ${runId} to finish`, 50_000);
  };

  beforeAll(async () => {
    system = await startTestSystem({
      consumers: {
        events: (clients, names) => createEventsHandler(clients, names, { log: quiet }),
        train: (clients, names) => createTrainHandler(clients, names, { labels: labels.source, log: quiet }),
      },
    });
    const { version } = await registerConceptOneModel(system, 'churn');
    await putRetrainingEndpoint(system, 'churn', 'churn', version);
    labels.add('churn', await archiveShiftedTraffic(system, 'churn', 'churn', version, 600, 707));
    first = await retrain({ reason: 'concept change', params: cheap });
    expect(first).toMatchObject({ status: 'succeeded', parentVersion: 1, version: 2, canary: { started: true } });
  }, 90_000);
  afterAll(() => system?.stop());

  it('registers the run’s dataset as a content-addressed version with its schema, rows, hash, source window and a download', async () => {
    expect(first.dataset).toMatchObject({ name: 'churn', version: 1, rows: 600 });
    const { datasets } = await json<{ datasets: Array<{ name: string; latestVersion: number }> }>('/v1/datasets');
    expect(datasets).toContainEqual(expect.objectContaining({ name: 'churn', latestVersion: 1 }));

    const dataset = await json<DatasetVersion & { download: { url: string } }>('/v1/datasets/churn/versions/1');
    expect(dataset).toMatchObject({
      name: 'churn',
      version: 1,
      sha256: first.dataset!.sha256,
      rows: 600,
      schema: { features: expect.arrayContaining([{ name: 'plan', kind: 'categorical', categories: expect.any(Array) }, { name: 'usage_hours', kind: 'numerical' }]), label: { task: 'binary-classification', classes: [0, 1] } },
      timeRange: first.dataset!.timeRange,
      source: { endpoint: 'churn', window: { from: expect.any(String), to: expect.any(String) } },
      createdBy: { runId: first.runId },
    });
    expect(Date.parse(dataset.source.window!.from)).toBeLessThanOrEqual(Date.parse(dataset.timeRange.from));

    // The download is the dataset: its bytes hash to the version's sha256.
    const download = await fetch(dataset.download.url);
    expect(download.status).toBe(200);
    const body = new Uint8Array(await download.arrayBuffer());
    const canonical = body[0] === 0x1f && body[1] === 0x8b ? new Uint8Array(gunzipSync(body)) : body;
    expect(await sha256Hex(canonical)).toBe(dataset.sha256);
    expect(new TextDecoder().decode(canonical).trim().split('\n')).toHaveLength(600);

    await expectProblem(await system.api('/v1/datasets/churn/versions/9'), 404);
    await expectProblem(await system.api('/v1/datasets/nothing'), 404);
  });

  it('repeats a run on its dataset version and gets the same model bytes, byte for byte', async () => {
    // New traffic meanwhile: a fresh run would train on other rows; the repeat does not.
    labels.add('churn', await archiveShiftedTraffic(system, 'churn', 'churn', 1, 300, 808, { agoMs: 1_800_000, spanMs: 1_200_000 }));
    const repeat = await retrain({ reason: 'reproduce', params: first.params, dataset: { name: 'churn', version: 1 } });
    expect(repeat).toMatchObject({ status: 'succeeded', version: 2, dataset: { name: 'churn', version: 1, sha256: first.dataset!.sha256, rows: 600 }, params: { ...first.params, dataset: { name: 'churn', version: 1 } } });
    expect(repeat.metrics).toEqual(first.metrics);

    // Independently: the downloaded rows trained with the run's params outside Flywheel give the registered bytes.
    const [v1, v2] = await Promise.all([json<ModelVersion>('/v1/models/churn/versions/1'), json<ModelVersion>('/v1/models/churn/versions/2')]);
    expect(v2.lineage).toMatchObject({ runId: first.runId, dataset: { name: 'churn', version: 1, sha256: first.dataset!.sha256 }, parentVersion: 1 });
    const dataset = await json<{ download: { url: string } }>('/v1/datasets/churn/versions/1');
    const body = new Uint8Array(await (await fetch(dataset.download.url)).arrayBuffer());
    const text = new TextDecoder().decode(body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body);
    const examples = text.trim().split('\n').map((line) => JSON.parse(line) as Example);
    const shape = retrainableShape(v1, v1.signature.outputs);
    if ('reason' in shape) throw new Error(shape.reason);
    const params = first.params as { algorithm: 'boosted-trees'; holdoutFraction: number; minRows: number; trees: { rounds: number } };
    const retrained = await trainChallenger({ dataset: { features: shape.features, task: shape.task, examples }, params, layout: shape.layout });
    const { Body } = await system.clients.s3.send(new GetObjectCommand({ Bucket: system.names.bucket, Key: `models/sha256/${v2.sha256}.onnx` }));
    const registeredBytes = Buffer.from(await Body!.transformToByteArray());
    expect(registeredBytes.equals(Buffer.from(retrained.bytes))).toBe(true);

    // A fresh run on the same model trains on the newer rows: a new dataset version.
    const fresh = await retrain({ params: cheap });
    expect(fresh.dataset).toMatchObject({ name: 'churn', version: 2, rows: 900 });
  }, 90_000);

  it('refuses a dataset that does not exist or a repeat that would merge other rows, starting no run', async () => {
    const before = (await json<{ runs: Run[] }>('/v1/models/churn/runs')).runs.length;
    const missing = await expectProblem(await system.api('/v1/models/churn/retrain', { method: 'POST', json: { dataset: { name: 'churn', version: 99 } } }), 400);
    expect(missing.errors?.[0].path).toBe('dataset');
    const merged = await expectProblem(await system.api('/v1/models/churn/retrain', { method: 'POST', json: { dataset: { name: 'churn', version: 1 }, params: { includePrevious: true } } }), 400);
    expect(merged.errors?.[0].path).toBe('includePrevious');
    await expectProblem(await system.api('/v1/models/churn/retrain', { method: 'POST', json: { dataset: { name: 'churn' } } }), 400);
    expect((await json<{ runs: Run[] }>('/v1/models/churn/runs')).runs.length).toBe(before);
  });
});
