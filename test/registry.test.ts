import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '@flywheel/api';
import { createApiDependencies } from '@flywheel/deploy';
import { linearClassifierFixture, mlpFixture } from '@flywheel/testing/test-models';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { asBody, expectProblem, putEndpoint, registerBytes, registered, scaledModel, singleVariant } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

interface VersionBody {
  model: string;
  version: number;
  sha256: string;
  sizeBytes: number;
  signature: { inputs: Array<{ name: string; datatype: string; shape: number[] }>; outputs: unknown[] };
  features?: unknown[];
  task?: unknown;
  lineage: Record<string, unknown>;
  notes: string[];
  createdAt: string;
}

describe('model registry over HTTP', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
  });
  afterAll(() => system?.stop());

  it('registers raw bytes, describes the signature, and returns the same version for the same bytes', async () => {
    const { bytes } = mlpFixture();
    const first = await registerBytes(system, 'mlp', bytes, { description: 'a small MLP', lineage: { run: 'r1' }, tags: { team: 'growth' } });
    expect(first.status).toBe(201);
    const body = (await first.json()) as VersionBody;
    expect(body).toMatchObject({
      model: 'mlp',
      version: 1,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      sizeBytes: bytes.byteLength,
      signature: {
        inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
        outputs: [
          { name: 'probs', datatype: 'FP32', shape: [-1, 3] },
          { name: 'gate', datatype: 'FP32', shape: [-1, 3] },
        ],
      },
      lineage: { run: 'r1' },
      description: 'a small MLP',
      tags: { team: 'growth' },
    });
    expect(first.headers.get('location')).toBe('/v1/models/mlp/versions/1');

    const again = await registerBytes(system, 'mlp', bytes, { description: 'ignored: the bytes are known' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(body);

    const fetched = await system.api('/v1/models/mlp/versions/1');
    expect(await fetched.json()).toEqual(body);
  });

  it('registers multipart uploads with metadata checked against the graph', async () => {
    const { bytes } = linearClassifierFixture(true);
    const metadata = {
      features: [
        { name: 'a', kind: 'numerical', input: 'x', index: 0 },
        { name: 'b', kind: 'numerical', input: 'x', index: 1 },
        { name: 'c', kind: 'numerical', input: 'x', index: 2 },
      ],
      task: { type: 'multiclass-classification', output: 'label', classes: ['cat', 'dog', 'eel'] },
    };
    const form = new FormData();
    form.set('model', new Blob([asBody(bytes)]), 'model.onnx');
    form.set('metadata', JSON.stringify(metadata));
    const response = await system.api('/v1/models/zipmap/versions', { method: 'POST', body: form });
    expect(response.status).toBe(201);
    const body = (await response.json()) as VersionBody;
    expect(body.features).toEqual(metadata.features);
    expect(body.task).toEqual(metadata.task);
    expect(body.signature.outputs).toEqual([{ name: 'label', datatype: 'BYTES', shape: [-1] }]);
    expect(body.notes.join(' ')).toMatch(/probabilities.*not a tensor/);

    const wrong = new FormData();
    wrong.set('model', new Blob([asBody(bytes)]), 'model.onnx');
    wrong.set('metadata', JSON.stringify({ features: [{ name: 'a', kind: 'numerical', input: 'nope' }], task: { type: 'regression', output: 'probabilities' } }));
    const problem = await expectProblem(await system.api('/v1/models/zipmap/versions', { method: 'POST', body: wrong }), 400);
    expect(problem.errors!.map((e) => e.path)).toEqual(['metadata/features/0/input', 'metadata/task/output']);

    const missing = new FormData();
    missing.set('metadata', '{}');
    expect((await expectProblem(await system.api('/v1/models/zipmap/versions', { method: 'POST', body: missing }), 400)).errors).toEqual([
      { path: 'model', message: 'must be a file part' },
    ]);
  });

  it('registers an artifact uploaded to a presigned URL, once', async () => {
    const created = await system.api('/v1/models/big/uploads', { method: 'POST' });
    expect(created.status).toBe(201);
    const { uploadUrl, key } = (await created.json()) as { uploadUrl: string; key: string };
    expect(key).toMatch(/^uploads\/big\/[0-9a-f-]{36}\.onnx$/);
    const bytes = scaledModel(3);
    expect((await fetch(uploadUrl, { method: 'PUT', body: asBody(bytes) })).status).toBe(200);

    const registeredUpload = await system.api('/v1/models/big/versions', { method: 'POST', json: { artifactKey: key, metadata: { lineage: { source: 'upload' } } } });
    expect(registeredUpload.status).toBe(201);
    expect(await registeredUpload.json()).toMatchObject({ model: 'big', version: 1, sizeBytes: bytes.byteLength, lineage: { source: 'upload' } });

    // The staged copy is gone, and keys outside the model's uploads are not readable.
    for (const artifactKey of [key, 'baselines/big/1/profile.json', key.replace('/big/', '/mlp/')]) {
      const problem = await expectProblem(await system.api('/v1/models/big/versions', { method: 'POST', json: { artifactKey } }), 400);
      expect(problem.errors![0].path).toBe('artifactKey');
    }
  });

  it('numbers concurrent registrations of different bytes distinctly, and of the same bytes once', async () => {
    const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => registerBytes(system, 'race', scaledModel(i + 1))));
    const versions = await Promise.all(responses.map(async (r) => ({ status: r.status, version: ((await r.json()) as VersionBody).version })));
    expect(versions.every((v) => v.status === 201)).toBe(true);
    expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const same = scaledModel(100);
    const duplicates = await Promise.all(Array.from({ length: 4 }, () => registerBytes(system, 'race', same)));
    const statuses = duplicates.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 201]);
    const numbers = new Set(await Promise.all(duplicates.map(async (r) => ((await r.json()) as VersionBody).version)));
    expect([...numbers]).toEqual([9]);
    const listed = (await (await system.api('/v1/models/race')).json()) as { versions: VersionBody[]; latestVersion: number };
    expect(listed.versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(listed.latestVersion).toBe(9);
  });

  it('refuses garbage, truncated, empty and mistyped bodies, and changes nothing', async () => {
    const before = await system.api('/v1/models/bad');
    expect(before.status).toBe(404);
    const garbage = await expectProblem(await registerBytes(system, 'bad', new TextEncoder().encode('definitely not onnx')), 422);
    expect(garbage.detail).toMatch(/not a model this server can serve: \S+/);
    const { bytes } = mlpFixture();
    const truncated = await expectProblem(await registerBytes(system, 'bad', bytes.subarray(0, Math.floor(bytes.length / 2))), 422);
    expect(truncated.detail.length).toBeGreaterThan('The bytes are not a model this server can serve: '.length);
    await expectProblem(await registerBytes(system, 'bad', new Uint8Array()), 400);
    await expectProblem(await system.api('/v1/models/bad/versions', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } }), 415);
    const badHeader = await expectProblem(
      await system.api('/v1/models/bad/versions', { method: 'POST', body: asBody(bytes), headers: { 'content-type': 'application/octet-stream', 'flywheel-metadata': '{nope' } }),
      400,
    );
    expect(badHeader.errors![0].path).toBe('header flywheel-metadata');
    await expectProblem(await registerBytes(system, 'no.dots', bytes), 400);
    expect((await system.api('/v1/models/bad')).status).toBe(404);
    expect((await system.api('/healthz', { key: null })).status).toBe(200);
  });

  it('refuses a model body over the configured limit with 413', async () => {
    const app = createApp(createApiDependencies(system.clients, system.names), { registry: { maxModelBytes: 1000 } });
    const response = await app.request('/v1/models/huge/versions', {
      method: 'POST',
      body: new Uint8Array(5000),
      headers: { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/octet-stream', 'content-length': '5000' },
    });
    const problem = await expectProblem(response, 413);
    expect(problem.detail).toMatch(/uploads/);
  });

  it('moves aliases and keeps their history', async () => {
    const v1 = await registered(system, 'aliased', scaledModel(1));
    const v2 = await registered(system, 'aliased', scaledModel(2));
    const first = await system.api('/v1/models/aliased/aliases/prod', { method: 'PUT', json: { version: v1 } });
    expect(await first.json()).toMatchObject({ alias: 'prod', version: v1, revision: 1 });
    const second = await system.api('/v1/models/aliased/aliases/prod', { method: 'PUT', json: { version: v2 } });
    expect(await second.json()).toMatchObject({ alias: 'prod', version: v2, previousVersion: v1, revision: 2 });
    expect(await (await system.api('/v1/models/aliased/aliases/prod')).json()).toMatchObject({ version: v2 });

    const history = (await (await system.api('/v1/models/aliased/aliases/prod/history')).json()) as { history: Array<{ version: number; revision: number }> };
    expect(history.history.map((h) => [h.revision, h.version])).toEqual([
      [2, v2],
      [1, v1],
    ]);
    const model = (await (await system.api('/v1/models/aliased')).json()) as { aliases: Array<{ alias: string; version: number }> };
    expect(model.aliases).toMatchObject([{ alias: 'prod', version: v2 }]);

    expect((await expectProblem(await system.api('/v1/models/aliased/aliases/prod', { method: 'PUT', json: { version: 99 } }), 400)).errors![0].path).toBe('version');
    await expectProblem(await system.api('/v1/models/ghost/aliases/prod', { method: 'PUT', json: { version: 1 } }), 404);
    await expectProblem(await system.api('/v1/models/aliased/aliases/none/history'), 404);
  });

  it('lists models and checks scopes', async () => {
    const listed = (await (await system.api('/v1/models')).json()) as { models: Array<{ model: string; latestVersion: number }> };
    expect(listed.models.map((m) => m.model)).toEqual(expect.arrayContaining(['mlp', 'zipmap', 'big', 'race', 'aliased']));
    expect(listed.models.find((m) => m.model === 'race')?.latestVersion).toBe(9);
    await expectProblem(await system.api('/v1/models/mlp/versions/7'), 404);
    await expectProblem(await system.api('/v1/models/mlp/versions/x'), 400);

    const reader = (await (await system.api('/v1/keys', { method: 'POST', json: { name: 'reader', scopes: ['read'] } })).json()) as { key: string };
    expect((await system.api('/v1/models', { key: reader.key })).status).toBe(200);
    await expectProblem(await registerBytes(system, 'mlp', scaledModel(7), undefined, reader.key), 403);
  });

  it('never serves an artifact whose bytes were replaced in the bucket', async () => {
    const version = await registered(system, 'tampered', scaledModel(5));
    const { sha256 } = (await (await system.api(`/v1/models/tampered/versions/${version}`)).json()) as VersionBody;
    // Someone with write access to the bucket swaps the model for another valid one.
    await system.clients.s3.send(new PutObjectCommand({ Bucket: system.names.bucket, Key: `models/sha256/${sha256}.onnx`, Body: scaledModel(7) }));
    await putEndpoint(system, 'tampered', singleVariant('tampered', version));
    // Another instance (a cold Lambda) loads the model from the bucket; this one has it cached.
    const cold = createApp(createApiDependencies(system.clients, system.names));
    const response = await cold.request('/v1/endpoints/tampered/predict', {
      method: 'POST',
      body: JSON.stringify({ inputs: { x: [[1, 1, 1]] } }),
      headers: { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/json' },
    });
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(await response.text()).not.toMatch(/\[7,7,7\]|"y"/);
  });

  it('refuses a model with an operator outside the allow-list with 422 naming the node, and stores nothing', async () => {
    const { writeModel, tensorType } = await import('@flywheel/inference');
    const bytes = writeModel({
      inputs: [{ name: 'x', type: tensorType('float32', ['N', 3]) }],
      outputs: [{ name: 'y', type: tensorType('float32', ['N', 3]) }],
      opsets: { 'com.example': 1 },
      nodes: [{ name: 'backdoor', opType: 'Run', domain: 'com.example', inputs: ['x'], outputs: ['y'] }],
    });
    const problem = await expectProblem(await registerBytes(system, 'suspicious', bytes), 422);
    expect(problem.detail).toMatch(/node "backdoor".*uses domain "com\.example", which is not allowed/);
    expect((await system.api('/v1/models/suspicious')).status).toBe(404);
  });
});
