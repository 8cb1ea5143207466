import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@flywheel/core';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { DatasetVersion, LineageGraph, ModelVersion, Run } from '@flywheel/core';
import { sha256Hex } from '@flywheel/inference';
import { retrainableShape, trainChallenger, type Example } from '@flywheel/train';
import { createEventsHandler, createTrainHandler } from '@flywheel/deploy';
import { expectProblem } from '@flywheel/testing/models';
import { MemoryLabels, archiveShiftedTraffic, eventually, putRetrainingEndpoint, registerConceptOneModel } from '@flywheel/testing/retrain-fixtures';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';
import { z } from 'zod';
import { datasetVersionSchema } from '../packages/api/src/routes/datasets.ts';
import { lineageResponseSchema } from '../packages/api/src/routes/lineage.ts';
import { governedVersionSchema, trainedLineageSchema } from '../packages/api/src/routes/models.ts';
import { runSchema } from '../packages/api/src/routes/runs.ts';

const cheap = { trees: { rounds: 15 } };

/**
 * A retrained version as the demo makes one — a concept-1 model serving shifted traffic, retrained
 * on its labelled logs and started as a canary — and what the registry keeps about where it came from.
 */
describe('datasets as versions, repeatable runs, lineage both ways', () => {
  let system: TestSystem;
  const labels = new MemoryLabels();
  let first: Run;

  // What is answered is what the OpenAPI document says.
  const documented: Array<[RegExp, { parse(body: unknown): unknown }]> = [
    [/^\/v1\/lineage\?/, lineageResponseSchema],
    [/^\/v1\/runs\/[^/]+$/, runSchema],
    [/^\/v1\/models\/[^/]+\/runs$/, z.object({ runs: z.array(runSchema) })],
    [/^\/v1\/datasets\/[^/]+\/versions\/\d+$/, datasetVersionSchema],
    [/^\/v1\/models\/[^/]+\/versions\/\d+$/, governedVersionSchema],
  ];
  const json = async <T>(path: string): Promise<T> => {
    const response = await system.api(path);
    expect(response.status, await response.clone().text()).toBe(200);
    const body = await response.json();
    for (const [pattern, schema] of documented) if (pattern.test(path)) schema.parse(body);
    return body as T;
  };
  const retrain = async (body: unknown): Promise<Run> => {
    const response = await system.api('/v1/models/churn/retrain', { method: 'POST', json: body });
    expect(response.status, await response.clone().text()).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    return eventually(
      async () => {
        const run = await json<Run>(`/v1/runs/${runId}`);
        return run.status === 'succeeded' || run.status === 'failed' ? run : undefined;
      },
      `run ${runId} to finish`,
      50_000,
    );
  };

  beforeAll(async () => {
    system = await startTestSystem({
      consumers: {
        events: (clients, names) => createEventsHandler(clients, names, { logger: silentLogger }),
        train: (clients, names) => createTrainHandler(clients, names, { labels: labels.source, logger: silentLogger }),
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
      schema: {
        features: expect.arrayContaining([
          { name: 'plan', kind: 'categorical', categories: expect.any(Array) },
          { name: 'usage_hours', kind: 'numerical' },
        ]),
        label: { task: 'binary-classification', classes: [0, 1] },
      },
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
    expect(repeat).toMatchObject({
      status: 'succeeded',
      version: 2,
      dataset: { name: 'churn', version: 1, sha256: first.dataset!.sha256, rows: 600 },
      params: { ...first.params, dataset: { name: 'churn', version: 1 } },
    });
    expect(repeat.metrics).toEqual(first.metrics);

    // Independently: the downloaded rows trained with the run's params outside Flywheel give the registered bytes.
    const [v1, v2] = await Promise.all([json<ModelVersion>('/v1/models/churn/versions/1'), json<ModelVersion>('/v1/models/churn/versions/2')]);
    expect(v2.lineage).toMatchObject({ runId: first.runId, dataset: { name: 'churn', version: 1, sha256: first.dataset!.sha256 }, parentVersion: 1 });
    trainedLineageSchema.parse(v2.lineage);
    const dataset = await json<{ download: { url: string } }>('/v1/datasets/churn/versions/1');
    const body = new Uint8Array(await (await fetch(dataset.download.url)).arrayBuffer());
    const text = new TextDecoder().decode(body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body);
    const examples = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Example);
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
    const merged = await expectProblem(
      await system.api('/v1/models/churn/retrain', { method: 'POST', json: { dataset: { name: 'churn', version: 1 }, params: { includePrevious: true } } }),
      400,
    );
    expect(merged.errors?.[0].path).toBe('includePrevious');
    await expectProblem(await system.api('/v1/models/churn/retrain', { method: 'POST', json: { dataset: { name: 'churn' } } }), 400);
    expect((await json<{ runs: Run[] }>('/v1/models/churn/runs')).runs.length).toBe(before);
  });

  it('walks the lineage of the retrained version 2 back to its dataset, run and parent, and on to the configs that served it', async () => {
    const graph = await json<LineageGraph>('/v1/lineage?version=churn:2');
    expect(graph.start).toEqual(['version:churn:2']);
    const node = (id: string) => graph.nodes.find((n) => n.id === id);
    const edge = (from: string, to: string) => graph.edges.find((e) => e.from === from && e.to === to);
    const run = `run:${first.runId}`;
    expect(node('dataset:churn:1')).toMatchObject({ kind: 'dataset', sha256: first.dataset!.sha256, rows: 600, by: { type: 'run', id: first.runId } });
    expect(node(run)).toMatchObject({ kind: 'run', status: 'succeeded', by: { type: 'trigger', id: 'manual', reason: 'concept change' }, at: first.createdAt });
    expect(node('version:churn:1')).toMatchObject({ kind: 'version', by: { type: 'key', name: 'local admin' } });
    expect(node('version:churn:2')).toMatchObject({ kind: 'version', by: { type: 'run', id: first.runId } });
    expect(edge('dataset:churn:1', run)).toMatchObject({ relation: 'trained' });
    expect(edge('version:churn:1', run)).toMatchObject({ relation: 'champion' });
    expect(edge(run, 'version:churn:2')).toMatchObject({ relation: 'registered' });

    // The endpoint configs that served it: the canary the run started, made by the trainer.
    const served = graph.edges.filter((e) => e.from === 'version:churn:2' && e.relation === 'served');
    expect(served.length).toBeGreaterThan(0);
    const canary = node(served[0].to);
    expect(canary).toMatchObject({ kind: 'endpoint-config', endpoint: 'churn', change: 'update', by: { type: 'component', id: 'retrain' } });
    expect(served[0]).toMatchObject({ variant: 'candidate', share: 10 });
    // Upstream and downstream only: the config that served only version 1, and the sibling run's dataset, are not its lineage.
    expect(node('endpoint:churn:1')).toBeUndefined();
    expect(node('dataset:churn:2')).toBeUndefined();
    for (const n of graph.nodes) {
      expect(n.by.type, n.id).not.toBe('unknown');
      expect(Number.isNaN(Date.parse(n.at)), n.id).toBe(false);
    }
  });

  it('walks back from an endpoint config and forward from a dataset', async () => {
    const canary = (await json<LineageGraph>('/v1/lineage?version=churn:2')).edges.find((e) => e.from === 'version:churn:2' && e.relation === 'served')!.to;
    const configVersion = canary.split(':')[2];
    const back = await json<LineageGraph>(`/v1/lineage?endpoint=churn:${configVersion}`);
    expect(back.start).toEqual([canary]);
    expect(back.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['dataset:churn:1', `run:${first.runId}`, 'version:churn:1', 'version:churn:2', canary]));
    expect(back.edges).toContainEqual(expect.objectContaining({ from: 'version:churn:1', to: canary, relation: 'served', variant: 'control', share: 90 }));

    const forward = await json<LineageGraph>('/v1/lineage?dataset=churn:1');
    expect(forward.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['dataset:churn:1', `run:${first.runId}`, 'version:churn:2', canary]));
    expect(forward.nodes.map((n) => n.id)).not.toContain('version:churn:1');

    const everything = await json<LineageGraph>('/v1/lineage?endpoint=churn');
    expect(everything.start.length).toBeGreaterThan(1);
    expect(everything.nodes.map((n) => n.id)).toContain('dataset:churn:2');
  });

  it('answers bad lineage queries with problem details', async () => {
    await expectProblem(await system.api('/v1/lineage'), 400);
    await expectProblem(await system.api('/v1/lineage?version=churn'), 400);
    await expectProblem(await system.api('/v1/lineage?version=churn:2&dataset=churn:1'), 400);
    await expectProblem(await system.api('/v1/lineage?version=churn:99'), 404);
    await expectProblem(await system.api('/v1/lineage?run=run-000000000000000000000000'), 404);
    await expectProblem(await system.api('/v1/lineage?endpoint=churn:99'), 404);
    await expectProblem(await system.api('/v1/lineage?endpoint=nowhere'), 404);
  });
});
