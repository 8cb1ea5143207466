import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PredictionLogEntry, PredictionLogSink } from '@flywheel/core';
import { createApp } from '@flywheel/api';
import { createApiDependencies } from '@flywheel/deploy';
import type { NestedValue } from '@flywheel/inference';
import { cnnFixture, embeddingFixture, linearClassifierFixture, mlpFixture, type ModelFixture } from '@flywheel/testing/test-models';
import { expectClose, expectProblem, putEndpoint, registered, scaledModel, singleVariant } from '@flywheel/testing/models';
import { sendTogether } from '@flywheel/testing/send-together';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';
import { predictResponseSchema } from '../packages/api/src/routes/predict.ts';
import { kserveV1ResponseSchema, oipInferResponseSchema } from '../packages/api/src/routes/oip.ts';

interface OipTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}

const fixtures: Record<string, ModelFixture> = {
  mlp: mlpFixture(),
  cnn: cnnFixture(),
  embedding: embeddingFixture(),
  linear: linearClassifierFixture(false),
  zipmap: linearClassifierFixture(true),
};

/** Row-major flat data back to nested arrays, to compare OIP outputs with the reference. */
function nest(data: unknown[], shape: number[]): unknown {
  if (shape.length === 0) return data[0];
  const size = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(data.slice(i * size, (i + 1) * size), shape.slice(1)));
}

function flatten(value: NestedValue): { shape: number[]; data: unknown[] } {
  const shape: number[] = [];
  for (let probe: unknown = value; Array.isArray(probe); probe = probe[0]) shape.push(probe.length);
  return { shape, data: Array.isArray(value) ? (value as unknown[]).flat(Infinity) : [value] };
}

describe('predictions over HTTP', () => {
  let system: TestSystem;
  const signatures = new Map<string, Array<{ name: string; datatype: string }>>();
  const post = (path: string, json: unknown, headers?: Record<string, string>) => system.api(path, { method: 'POST', json, headers });

  beforeAll(async () => {
    system = await startTestSystem();
    for (const [name, fixture] of Object.entries(fixtures)) {
      const version = await registered(system, name, fixture.bytes);
      const model = (await (await system.api(`/v1/models/${name}/versions/${version}`)).json()) as { signature: { inputs: Array<{ name: string; datatype: string }> } };
      signatures.set(name, model.signature.inputs);
      expect((await putEndpoint(system, name, singleVariant(name, version))).status).toBe(201);
    }
  });
  afterAll(() => system?.stop());

  for (const name of Object.keys(fixtures)) {
    it(`serves ${name} within 1e-5 of the reference through /v1 predict and /v2 infer`, async () => {
      const fixture = fixtures[name];
      const v1 = await post(`/v1/endpoints/${name}/predict`, { inputs: fixture.inputs, id: `req-${name}` });
      expect(v1.status, await v1.clone().text()).toBe(200);
      // What is answered is what the OpenAPI document says, for each fixture's output types.
      const body = predictResponseSchema.parse(await v1.json()) as {
        id: string;
        endpoint: string;
        variant: string;
        model: string;
        version: number;
        outputs: Record<string, NestedValue>;
      };
      expect(body).toMatchObject({ id: `req-${name}`, endpoint: name, variant: 'main', model: name, version: 1 });
      expect(Object.keys(body.outputs).sort()).toEqual(Object.keys(fixture.expected).sort());
      for (const [output, expected] of Object.entries(fixture.expected)) expectClose(body.outputs[output], expected, output);
      expect([v1.headers.get('flywheel-variant'), v1.headers.get('flywheel-model-version'), v1.headers.get('flywheel-config-version')]).toEqual(['main', '1', '1']);

      const inputs = signatures.get(name)!.map(({ name: input, datatype }) => ({ name: input, datatype, ...flatten(fixture.inputs[input]) }));
      const v2 = await post(`/v2/models/${name}/infer`, { id: 'oip-1', parameters: { unit: 'u1', trace: true }, inputs });
      expect(v2.status, await v2.clone().text()).toBe(200);
      const oip = oipInferResponseSchema.parse(await v2.json()) as { model_name: string; model_version: string; id: string; parameters: unknown; outputs: OipTensor[] };
      expect(oip).toMatchObject({ model_name: name, model_version: '1', id: 'oip-1', parameters: { unit: 'u1', trace: true } });
      expect(oip.outputs.map((o) => o.name).sort()).toEqual(Object.keys(fixture.expected).sort());
      for (const output of oip.outputs) expectClose(nest(output.data, output.shape), fixture.expected[output.name], output.name);
    });
  }

  it('answers requests sent together each with its own rows, through /v1 predict and /v2 infer alike', async () => {
    // Requests for one model read together share a run; each must still get exactly its rows back.
    // 24 per model: more than a model that saw only lone requests before runs at once (16).
    const cases = ['mlp', 'embedding'].flatMap((name) => {
      const fixture = fixtures[name];
      const rows = (fixture.expected[Object.keys(fixture.expected)[0]] as unknown[]).length;
      return Array.from({ length: 24 }, (_, i) => ({ name, fixture, row: i % rows, oip: i % 2 === 1 }));
    });
    const headers = { authorization: `Bearer ${system.adminKey}` };
    const responses = await sendTogether(
      system.url,
      cases.map(({ name, fixture, row, oip }) => {
        const inputs = Object.fromEntries(Object.entries(fixture.inputs).map(([input, value]) => [input, [(value as unknown[])[row]]]));
        if (!oip) return { path: `/v1/endpoints/${name}/predict`, json: { inputs }, headers };
        const tensors = signatures.get(name)!.map(({ name: input, datatype }) => ({ name: input, datatype, ...flatten(inputs[input] as NestedValue) }));
        return { path: `/v2/models/${name}/infer`, json: { inputs: tensors }, headers };
      }),
    );
    const answers = responses.map(({ status, body }, i) => {
      expect(status, body).toBe(200);
      if (!cases[i].oip) return (JSON.parse(body) as { outputs: Record<string, unknown> }).outputs;
      const { outputs } = JSON.parse(body) as { outputs: OipTensor[] };
      return Object.fromEntries(outputs.map((output) => [output.name, nest(output.data, output.shape)]));
    });
    cases.forEach(({ fixture, row }, i) => {
      for (const [output, expected] of Object.entries(fixture.expected)) expectClose(answers[i][output], [(expected as NestedValue[])[row]], output);
    });
  });

  it("takes records named by the version's features, with the same outputs as tensors", async () => {
    const { bytes, inputs, expected } = mlpFixture();
    const features = ['tenure', 'spend', 'visits', 'age'].map((feature, index) => ({ name: feature, kind: 'numerical', input: 'features', index }));
    const version = await registered(system, 'tabular', bytes, { features });
    await putEndpoint(system, 'tabular', singleVariant('tabular', version));
    const records = (inputs.features as number[][]).map((row) => Object.fromEntries(features.map((f, i) => [f.name, row[i]])));
    const response = await post('/v1/endpoints/tabular/predict', { records, unit: 42 });
    expect(response.status, await response.clone().text()).toBe(200);
    const body = (await response.json()) as { id: string; outputs: Record<string, NestedValue> };
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expectClose(body.outputs.probs, expected.probs, 'probs');

    const problem = await expectProblem(await post('/v1/endpoints/tabular/predict', { records: [{ ...records[0], tenure: 'long' }, { spend: 1 }] }), 400);
    expect(problem.errors!.map((e) => e.path)).toEqual(['records/0/tenure', 'records/1/tenure', 'records/1/visits', 'records/1/age']);
    const noFeatures = await expectProblem(await post('/v1/endpoints/mlp/predict', { records }), 400);
    expect(noFeatures.errors![0].message).toMatch(/no features/);
  });

  it('answers bad requests with the right problem, and stays healthy', async () => {
    const cases: Array<[string, RequestInit & { json?: unknown }, number, string?]> = [
      ['/v1/endpoints/mlp/predict', { json: { inputs: { features: [[1, 2, 3]] } } }, 400, 'inputs.features'],
      ['/v1/endpoints/mlp/predict', { json: { inputs: { features: [[1, 'two', 3, 4]] } } }, 400, 'inputs.features[0][1]'],
      ['/v1/endpoints/mlp/predict', { json: { inputs: { features: [[1, 2, 3, 4]], extra: [[1]] } } }, 400, 'inputs.extra'],
      ['/v1/endpoints/mlp/predict', { json: { inputs: { features: [[1, 2, 3, 4]] }, records: [] } }, 400, '/'],
      ['/v1/endpoints/mlp/predict', { json: { inputs: { features: [[1, 2, 3, 4]] }, id: 'a/b' } }, 400, 'id'],
      ['/v1/endpoints/mlp/predict', { body: '{"inputs": ', headers: { 'content-type': 'application/json' } }, 400],
      ['/v1/endpoints/mlp/predict', { body: 'inputs', headers: { 'content-type': 'text/plain' } }, 415],
      ['/v1/endpoints/nothing/predict', { json: { inputs: { features: [[1, 2, 3, 4]] } } }, 404],
      ['/v2/models/mlp/infer', { json: { inputs: [{ name: 'features', datatype: 'FP64', shape: [1, 4], data: [1, 2, 3, 4] }] } }, 400, 'inputs[0].datatype'],
      ['/v2/models/mlp/infer', { json: { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3] }] } }, 400, 'inputs[0].data'],
      [
        '/v2/models/mlp/infer',
        { json: { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }], outputs: [{ name: 'nope' }] } },
        400,
        'outputs[0].name',
      ],
    ];
    for (const [path, init, status, errorPath] of cases) {
      const problem = await expectProblem(await system.api(path, { method: 'POST', ...init }), status);
      if (errorPath)
        expect(
          problem.errors?.map((e) => e.path),
          `${path} ${JSON.stringify(init.json)}`,
        ).toContain(errorPath);
    }
    const oipProblem = (await (await post('/v2/models/mlp/infer', { inputs: [] })).json()) as { error?: string; detail: string };
    expect(oipProblem.error).toBe(oipProblem.detail);

    const tooMany = await expectProblem(await post('/v1/endpoints/mlp/predict', { inputs: { features: Array.from({ length: 10_001 }, () => [0, 0, 0, 0]) } }), 400);
    expect(tooMany.detail).toMatch(/at most 10000 rows/);
    const oversized = await system.api('/v1/endpoints/mlp/predict', {
      method: 'POST',
      body: JSON.stringify({ inputs: { features: [[1, 2, 3, 4]] }, id: 'x', pad: 'x'.repeat(7 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    await expectProblem(oversized, 413);
    // Without a Content-Length (chunked), the body is counted as it arrives.
    const chunk = new TextEncoder().encode(' '.repeat(1024 * 1024));
    const chunked = await system.api('/v1/endpoints/mlp/predict', {
      method: 'POST',
      body: new ReadableStream({
        pull(controller) {
          controller.enqueue(chunk);
        },
      }),
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    await expectProblem(chunked, 413);
    await expectProblem(await post('/v1/models/mlp', { instances: [[1, 2, 3, 4]] }), 404);

    expect((await system.api('/healthz', { key: null })).status).toBe(200);
    const still = await post('/v1/endpoints/mlp/predict', { inputs: fixtures.mlp.inputs });
    expect(still.status).toBe(200);
  });

  it('describes endpoints in the Open Inference Protocol, pins versions, and answers KServe V1', async () => {
    expect(await (await system.api('/v2')).json()).toMatchObject({ name: 'flywheel' });
    for (const path of ['/v2/health/live', '/v2/health/ready']) expect((await system.api(path, { key: null })).status).toBe(200);
    expect(await (await system.api('/v2/models/mlp')).json()).toEqual({
      name: 'mlp',
      versions: ['1'],
      platform: 'onnx_onnxv1',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [
        { name: 'probs', datatype: 'FP32', shape: [-1, 3] },
        { name: 'gate', datatype: 'FP32', shape: [-1, 3] },
      ],
    });
    expect(await (await system.api('/v2/models/mlp/ready')).json()).toEqual({ name: 'mlp', ready: true });
    expect((await system.api('/v2/models/mlp/ready', { key: null })).status).toBe(401);
    await expectProblem(await system.api('/v2/models/nothing/ready'), 404);

    const gateOnly = await post('/v2/models/mlp/infer', {
      inputs: [{ name: 'features', datatype: 'FP32', shape: [3, 4], data: (fixtures.mlp.inputs.features as number[][]).flat() }],
      outputs: [{ name: 'gate' }],
    });
    const gateBody = (await gateOnly.json()) as { id: string; outputs: OipTensor[] };
    expect(gateBody.outputs.map((o) => o.name)).toEqual(['gate']);
    expect(gateBody.id).toMatch(/^[0-9a-f-]{36}$/);

    // Two versions of one model behind one endpoint: the pinned form picks either.
    const v1 = await registered(system, 'pinned', scaledModel(1));
    const v2 = await registered(system, 'pinned', scaledModel(10));
    await putEndpoint(system, 'pinned', {
      variants: [
        { name: 'old', model: 'pinned', version: v1, weight: 100 },
        { name: 'new', model: 'pinned', version: v2, weight: 0 },
      ],
    });
    const x = { name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] };
    const pinned = await post(`/v2/models/pinned/versions/${v2}/infer`, { inputs: [x] });
    expect(pinned.headers.get('flywheel-variant')).toBe('new');
    expect((await pinned.json()) as { model_version: string; outputs: OipTensor[] }).toMatchObject({ model_version: String(v2), outputs: [{ name: 'y', data: [10, 20, 30] }] });
    expect((await (await system.api('/v2/models/pinned')).json()) as { versions: string[] }).toMatchObject({ versions: [String(v1), String(v2)] });
    await expectProblem(await post('/v2/models/pinned/versions/99/infer', { inputs: [x] }), 404);
    await registered(system, 'other', scaledModel(3));
    await putEndpoint(system, 'mixed', {
      variants: [
        { name: 'a', model: 'pinned', version: v1, weight: 50 },
        { name: 'b', model: 'other', version: 1, weight: 50 },
      ],
    });
    await expectProblem(await post('/v2/models/mixed/versions/1/infer', { inputs: [x] }), 400);

    const kserve = await post('/v1/models/pinned:predict', {
      instances: [
        [1, 2, 3],
        [0, 0, 1],
      ],
    });
    expect(kserveV1ResponseSchema.parse(await kserve.json())).toEqual({
      predictions: [
        [1, 2, 3],
        [0, 0, 1],
      ],
    });
    const multiOutput = kserveV1ResponseSchema.parse(await (await post('/v1/models/mlp:predict', { instances: fixtures.mlp.inputs.features })).json()) as {
      predictions: Array<{ probs: number[] }>;
    };
    expectClose(
      multiOutput.predictions.map((p) => p.probs),
      fixtures.mlp.expected.probs as NestedValue,
    );
    await expectProblem(await post('/v1/models/embedding:predict', { instances: [[0, 1]] }), 400);
  });
});

describe('the prediction log on the predict path', () => {
  let system: TestSystem;
  beforeAll(async () => {
    system = await startTestSystem();
    const features = ['a', 'b', 'c', 'd'].map((name, index) => ({ name, kind: 'numerical', input: 'features', index }));
    await registered(system, 'logged', fixtures.mlp.bytes, { features });
    await putEndpoint(system, 'logged', { ...singleVariant('logged', 1), logging: { percent: 100, redact: ['d'] } });
  });
  afterAll(() => system?.stop());

  const appWith = (sink: PredictionLogSink) => {
    const app = createApp({ ...createApiDependencies(system.clients, system.names), predictionLog: sink });
    return (path: string, json: unknown) =>
      app.request(path, { method: 'POST', body: JSON.stringify(json), headers: { authorization: `Bearer ${system.adminKey}`, 'content-type': 'application/json' } });
  };

  it('hands every routed request to the sink, with rows by feature name, and failures as errors', async () => {
    const entries: PredictionLogEntry[] = [];
    const post = appWith({ log: (entry) => entries.push(entry), flush: async () => undefined, close: async () => undefined });
    const ok = await post('/v1/endpoints/logged/predict', {
      inputs: {
        features: [
          [1, 2, 3, 4],
          [5, 6, 7, 8],
        ],
      },
      id: 'r1',
      unit: 'user-1',
    });
    expect(ok.status).toBe(200);
    await post('/v1/endpoints/logged/predict', { inputs: { features: [[1, 2, 3]] }, id: 'r2' });
    await post('/v2/models/logged/infer', { id: 'r3', inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }] });
    expect(entries.map((e) => [e.requestId, e.status])).toEqual([
      ['r1', 'ok'],
      ['r2', 'error'],
      ['r3', 'ok'],
    ]);
    const [first, failed, oip] = entries;
    expect(first).toMatchObject({ endpoint: 'logged', variant: 'main', model: 'logged', version: 1, configVersion: 1, unit: 'user-1', logging: { percent: 100, redact: ['d'] } });
    expect(first.latencyMs).toBeGreaterThan(0);
    expect(first.rows.map((row) => row.inputs)).toEqual([
      { a: 1, b: 2, c: 3, d: 4 },
      { a: 5, b: 6, c: 7, d: 8 },
    ]);
    expect(Object.keys(first.rows[1].outputs!)).toEqual(['probs', 'gate']);
    expect(failed.rows).toEqual([]);
    expect(failed.error).toMatch(/signature/);
    expect(oip.rows[0].inputs).toEqual({ a: 1, b: 2, c: 3, d: 4 });
  });

  it('answers even when the sink throws', async () => {
    const post = appWith({
      log: () => {
        throw new Error('sink down');
      },
      flush: async () => undefined,
      close: async () => undefined,
    });
    expect((await post('/v1/endpoints/logged/predict', { inputs: { features: [[1, 2, 3, 4]] } })).status).toBe(200);
  });
});
