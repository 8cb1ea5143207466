import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledModel } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';
import { emptySchema } from '../packages/api/src/routes/mlflow/shapes.ts';

const ANSWERING_EMPTY = new Set([
  'runs/log-metric',
  'runs/log-parameter',
  'runs/log-batch',
  'runs/set-tag',
  'runs/delete-tag',
  'runs/delete',
  'runs/restore',
  'experiments/update',
  'experiments/delete',
  'experiments/restore',
  'experiments/set-experiment-tag',
]);

const MLFLOW = '/api/2.0/mlflow';

describe('the MLflow tracking API over HTTP, against the embedded stack', () => {
  let system: TestSystem;
  let readKey: string;

  beforeAll(async () => {
    system = await startTestSystem();
    const created = await system.api('/v1/keys', { method: 'POST', json: { name: 'reader', scopes: ['read'] } });
    readKey = ((await created.json()) as { key: string }).key;
  });
  afterAll(() => system?.stop());

  async function call(path: string, json?: unknown, key?: string) {
    const response = json === undefined ? await system.api(`${MLFLOW}/${path}`, { key }) : await system.api(`${MLFLOW}/${path}`, { method: 'POST', json, key });
    const body = await response.json();
    // What is answered is what the OpenAPI document says: the calls that change something without returning it answer {}.
    if (response.status === 200 && ANSWERING_EMPTY.has(path)) emptySchema.parse(body);
    return { status: response.status, body: body as any };
  }

  async function newRun(experimentName: string) {
    const { body } = await call('experiments/create', { name: experimentName });
    const run = await call('runs/create', { experiment_id: body.experiment_id, start_time: 1000, tags: [{ key: 'team', value: 'risk' }] });
    expect(run.status).toBe(200);
    return { experimentId: body.experiment_id as string, runId: run.body.run.info.run_id as string, artifactUri: run.body.run.info.artifact_uri as string };
  }

  it('creates, finds, renames, tags, deletes and restores an experiment, refusing a taken name as MLflow does', async () => {
    const created = await call('experiments/create', { name: 'churn-exp', tags: [{ key: 'owner', value: 'ds' }] });
    expect(created.status).toBe(200);
    const id = created.body.experiment_id;
    expect(await call('experiments/create', { name: 'churn-exp' })).toEqual({
      status: 400,
      body: { error_code: 'RESOURCE_ALREADY_EXISTS', message: "Experiment 'churn-exp' already exists." },
    });
    const byName = await call('experiments/get-by-name?experiment_name=churn-exp');
    expect(byName.body.experiment).toMatchObject({ experiment_id: id, name: 'churn-exp', lifecycle_stage: 'active', tags: [{ key: 'owner', value: 'ds' }] });
    expect(byName.body.experiment.artifact_location).toBe(`s3://${system.names.bucket}/tracking/${id}`);

    expect((await call('experiments/update', { experiment_id: id, new_name: 'churn-exp-2' })).status).toBe(200);
    expect((await call('experiments/set-experiment-tag', { experiment_id: id, key: 'stage', value: 'dev' })).status).toBe(200);
    expect((await call(`experiments/get?experiment_id=${id}`)).body.experiment).toMatchObject({
      name: 'churn-exp-2',
      tags: [
        { key: 'owner', value: 'ds' },
        { key: 'stage', value: 'dev' },
      ],
    });
    // The old name is free again.
    expect((await call('experiments/create', { name: 'churn-exp' })).status).toBe(200);

    expect((await call('experiments/delete', { experiment_id: id })).status).toBe(200);
    const active = await call('experiments/search', { filter: "name LIKE 'churn-exp%'" });
    expect(active.body.experiments.map((e: { name: string }) => e.name)).toEqual(['churn-exp']);
    const deleted = await call('experiments/search', { filter: "name LIKE 'churn-exp%'", view_type: 'DELETED_ONLY' });
    expect(deleted.body.experiments.map((e: { name: string }) => e.name)).toEqual(['churn-exp-2']);
    expect((await call('runs/create', { experiment_id: id })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await call('experiments/restore', { experiment_id: id })).status).toBe(200);
    expect((await call(`experiments/get?experiment_id=${id}`)).body.experiment.lifecycle_stage).toBe('active');

    expect(await call('experiments/get?experiment_id=999999')).toEqual({
      status: 404,
      body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'No Experiment with id=999999 exists' },
    });
    expect((await call('experiments/get-by-name?experiment_name=nope')).status).toBe(404);
  });

  it('has MLflow’s Default experiment 0, where runs go when a client names no experiment', async () => {
    expect((await call('experiments/get?experiment_id=0')).body.experiment).toMatchObject({ experiment_id: '0', name: 'Default', lifecycle_stage: 'active' });
    expect((await call('experiments/get-by-name?experiment_name=Default')).body.experiment.experiment_id).toBe('0');
    const run = await call('runs/create', { experiment_id: '0' });
    expect(run.body.run.info.experiment_id).toBe('0');
    expect((await call('experiments/create', { name: 'Default' })).body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
  });

  it('logs params, metrics with steps, batches and tags; a param keeps its first value and the refused batch changes nothing', async () => {
    const { runId } = await newRun('logging');
    expect((await call('runs/log-parameter', { run_id: runId, key: 'lr', value: '0.1' })).status).toBe(200);
    expect((await call('runs/log-parameter', { run_id: runId, key: 'lr', value: '0.1' })).status).toBe(200);
    // Proto3 JSON sends int64 as strings, as MLflow's Python client does.
    for (const [step, value] of [
      [0, 0.9],
      [1, 0.5],
      [2, 0.3],
    ] as const) {
      expect((await call('runs/log-metric', { run_id: runId, key: 'loss', value, timestamp: String(2000 + step), step: String(step) })).status).toBe(200);
    }
    const refused = await call('runs/log-batch', { run_id: runId, params: [{ key: 'lr', value: '0.2' }], metrics: [{ key: 'acc', value: 0.8, timestamp: 3000, step: 0 }] });
    expect(refused.status).toBe(400);
    expect(refused.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(refused.body.message).toMatch(/Changing param values is not allowed\. Param with key='lr' was already logged with value='0\.1'/);
    expect(
      (
        await call('runs/log-batch', {
          run_id: runId,
          params: [{ key: 'depth', value: '4' }],
          metrics: [{ key: 'acc', value: 0.8, timestamp: 3000, step: 0 }],
          tags: [{ key: 'note', value: 'x' }],
        })
      ).status,
    ).toBe(200);
    expect((await call('runs/set-tag', { run_id: runId, key: 'mlflow.note.content', value: 'hello' })).status).toBe(200);
    expect((await call('runs/delete-tag', { run_id: runId, key: 'note' })).status).toBe(200);
    expect((await call('runs/update', { run_id: runId, status: 'FINISHED', end_time: 5000 })).body.run_info).toMatchObject({ run_id: runId, status: 'FINISHED', end_time: 5000 });

    const { body } = await call(`runs/get?run_id=${runId}`);
    expect(body.run.data.params).toEqual([
      { key: 'lr', value: '0.1' },
      { key: 'depth', value: '4' },
    ]);
    expect(body.run.data.metrics).toEqual([
      { key: 'loss', value: 0.3, timestamp: 2002, step: 2 },
      { key: 'acc', value: 0.8, timestamp: 3000, step: 0 },
    ]);
    expect(Object.fromEntries(body.run.data.tags.map((t: { key: string; value: string }) => [t.key, t.value]))).toMatchObject({ team: 'risk', 'mlflow.note.content': 'hello' });
    expect(body.run.data.tags.map((t: { key: string }) => t.key)).not.toContain('note');

    const history = await call(`metrics/get-history?run_id=${runId}&metric_key=loss`);
    expect(history.body.metrics).toEqual([
      { key: 'loss', value: 0.9, timestamp: 2000, step: 0 },
      { key: 'loss', value: 0.5, timestamp: 2001, step: 1 },
      { key: 'loss', value: 0.3, timestamp: 2002, step: 2 },
    ]);
    expect(await call('runs/get?run_id=nope')).toEqual({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Run with id=nope not found' } });
    expect((await call('runs/log-metric', { run_id: runId, key: 'loss', value: 'high', timestamp: 1 })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
    // A double DynamoDB cannot hold is refused with the reason, not a 500; a large one it can is kept.
    const huge = await call('runs/log-metric', { run_id: runId, key: 'loss', value: 1e300, timestamp: 1 });
    expect(huge.status).toBe(400);
    expect(huge.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('below 1e126') });
    expect((await call('runs/log-metric', { run_id: runId, key: 'tokens', value: 1e20, timestamp: 1 })).status).toBe(200);
  });

  it('loses none of many concurrent writes to one run', async () => {
    const { runId } = await newRun('concurrent');
    const writes = Array.from({ length: 24 }, (_, i) =>
      i % 2 === 0
        ? call('runs/log-metric', { run_id: runId, key: `m${i}`, value: i, timestamp: 10 + i, step: 0 })
        : call('runs/log-parameter', { run_id: runId, key: `p${i}`, value: String(i) }),
    );
    expect((await Promise.all(writes)).map((w) => w.status)).toEqual(Array(24).fill(200));
    const { body } = await call(`runs/get?run_id=${runId}`);
    expect(body.run.data.metrics).toHaveLength(12);
    expect(body.run.data.params).toHaveLength(12);
  });

  it('searches runs by metric, param, tag and status, ordered and paged, and leaves deleted runs out', async () => {
    const { body } = await call('experiments/create', { name: 'search' });
    const experimentId = body.experiment_id as string;
    const runs: string[] = [];
    for (const [i, acc] of [0.7, 0.9, 0.8].entries()) {
      const created = await call('runs/create', { experiment_id: experimentId, start_time: 1000 + i });
      const runId = created.body.run.info.run_id as string;
      runs.push(runId);
      await call('runs/log-batch', { run_id: runId, params: [{ key: 'depth', value: String(3 + i) }], metrics: [{ key: 'acc', value: acc, timestamp: 1, step: 0 }] });
      if (i !== 2) await call('runs/update', { run_id: runId, status: 'FINISHED', end_time: 2000 });
    }
    const search = async (request: Record<string, unknown>) => {
      const result = await call('runs/search', { experiment_ids: [experimentId], ...request });
      expect(result.status, JSON.stringify(result.body)).toBe(200);
      return result.body as { runs?: Array<{ info: { run_id: string } }>; next_page_token?: string };
    };
    const ids = (page: { runs?: Array<{ info: { run_id: string } }> }) => (page.runs ?? []).map((r) => r.info.run_id);
    expect(ids(await search({ filter: 'metrics.acc > 0.75', order_by: ['metrics.acc DESC'] }))).toEqual([runs[1], runs[2]]);
    expect(ids(await search({ filter: "params.depth = '3'" }))).toEqual([runs[0]]);
    expect(ids(await search({ filter: "attributes.status = 'FINISHED' AND metrics.acc >= 0.7", order_by: ['metrics.acc ASC'] }))).toEqual([runs[0], runs[1]]);
    const first = await search({ order_by: ['metrics.acc DESC'], max_results: 2 });
    expect(ids(first)).toEqual([runs[1], runs[2]]);
    expect(ids(await search({ order_by: ['metrics.acc DESC'], max_results: 2, page_token: first.next_page_token }))).toEqual([runs[0]]);

    await call('runs/delete', { run_id: runs[1] });
    expect(ids(await search({ order_by: ['metrics.acc DESC'] }))).toEqual([runs[2], runs[0]]);
    expect(ids(await search({ run_view_type: 'DELETED_ONLY' }))).toEqual([runs[1]]);
    expect((await call('runs/log-metric', { run_id: runs[1], key: 'acc', value: 1, timestamp: 5 })).body.message).toMatch(/must be in the 'active' state/);
    await call('runs/restore', { run_id: runs[1] });
    expect(ids(await search({ filter: 'metrics.acc > 0.85' }))).toEqual([runs[1]]);

    const bad = await call('runs/search', { experiment_ids: [experimentId], filter: 'metrics.acc >> 1' });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('lists a run’s artifacts from S3 one directory at a time', async () => {
    const { runId, artifactUri } = await newRun('artifacts');
    const prefix = artifactUri.replace(`s3://${system.names.bucket}/`, '');
    for (const [key, body] of [
      ['model/model.onnx', 'onnx-bytes'],
      ['model/MLmodel', 'flavors: {}'],
      ['metrics.json', '{}'],
    ]) {
      await system.clients.s3.send(new PutObjectCommand({ Bucket: system.names.bucket, Key: `${prefix}/${key}`, Body: body }));
    }
    const root = await call(`artifacts/list?run_id=${runId}`);
    expect(root.body).toEqual({
      root_uri: artifactUri,
      files: [
        { path: 'metrics.json', is_dir: false, file_size: 2 },
        { path: 'model', is_dir: true },
      ],
    });
    const model = await call(`artifacts/list?run_id=${runId}&path=model`);
    expect(model.body.files).toEqual([
      { path: 'model/MLmodel', is_dir: false, file_size: 11 },
      { path: 'model/model.onnx', is_dir: false, file_size: 10 },
    ]);
    expect((await call(`artifacts/list?run_id=${runId}&path=../other`)).status).toBe(400);
  });

  it('reads with the read scope, logs only with deploy, answers in MLflow’s error shape and audits lifecycle changes', async () => {
    const { runId, experimentId } = await newRun('scopes');
    expect((await call(`runs/get?run_id=${runId}`, undefined, readKey)).status).toBe(200);
    expect((await call('runs/search', { experiment_ids: [experimentId] }, readKey)).status).toBe(200);
    const refused = await call('runs/log-metric', { run_id: runId, key: 'a', value: 1, timestamp: 1 }, readKey);
    expect(refused).toEqual({ status: 403, body: { error_code: 'PERMISSION_DENIED', message: 'This API key lacks the `deploy` scope.' } });
    expect((await call(`runs/get?run_id=${runId}`)).body.run.data.metrics).toEqual([]);
    const anonymous = await system.api(`${MLFLOW}/runs/get?run_id=${runId}`, { key: null });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error_code: string }).error_code).toBe('UNAUTHENTICATED');
    const huge = await call('runs/log-batch', { run_id: runId, tags: [{ key: 'blob', value: 'x'.repeat(3 * 1024 * 1024) }] });
    expect(huge.status).toBe(413);
    expect(huge.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    const unknown = await call('runs/frobnicate', {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.error_code).toBe('ENDPOINT_NOT_FOUND');

    const audit = (await (await system.api('/v1/audit?limit=50')).json()) as { records: Array<{ path: string; result: string }> };
    const paths = audit.records.map((r) => r.path);
    expect(paths).toContain(`${MLFLOW}/runs/create`);
    expect(paths).toContain(`${MLFLOW}/experiments/create`);
    expect(paths).not.toContain(`${MLFLOW}/runs/log-metric`);
  });

  it('registers a run’s ONNX artifact as a Flywheel version with the run as its lineage, through registered-models and model-versions', async () => {
    const { runId, artifactUri, experimentId } = await newRun('registry');
    const prefix = artifactUri.replace(`s3://${system.names.bucket}/`, '');
    await system.clients.s3.send(new PutObjectCommand({ Bucket: system.names.bucket, Key: `${prefix}/model/model.onnx`, Body: scaledModel(3) }));

    const created = await call('registered-models/create', { name: 'scorer', description: 'scores', tags: [{ key: 'team', value: 'risk' }] });
    expect(created.body.registered_model).toMatchObject({ name: 'scorer', description: 'scores', latest_versions: [], tags: [{ key: 'team', value: 'risk' }] });
    expect((await call('registered-models/create', { name: 'scorer' })).body.error_code).toBe('RESOURCE_ALREADY_EXISTS');

    const version = await call('model-versions/create', { name: 'scorer', source: `runs:/${runId}/model`, run_id: runId, tags: [{ key: 'stage-note', value: 'first' }] });
    expect(version.status, JSON.stringify(version.body)).toBe(200);
    expect(version.body.model_version).toMatchObject({
      name: 'scorer',
      version: '1',
      run_id: runId,
      source: `runs:/${runId}/model`,
      current_stage: 'None',
      status: 'READY',
      tags: [{ key: 'stage-note', value: 'first' }],
    });
    const flywheel = (await (await system.api('/v1/models/scorer/versions/1')).json()) as { lineage: Record<string, unknown>; tags: Record<string, string>; sha256: string };
    expect(flywheel.lineage).toEqual({ source: `runs:/${runId}/model`, runId, experimentId });
    expect(flywheel.tags).toEqual({ 'stage-note': 'first' });
    expect(flywheel.sha256).toBe(createHash('sha256').update(scaledModel(3)).digest('hex'));

    const model = await call('registered-models/get?name=scorer');
    expect(model.body.registered_model.latest_versions.map((v: { version: string }) => v.version)).toEqual(['1']);
    expect((await call('model-versions/get?name=scorer&version=1')).body.model_version.run_id).toBe(runId);
    expect((await call(`model-versions/search?filter=${encodeURIComponent(`run_id = '${runId}'`)}`)).body.model_versions.map((v: { name: string }) => v.name)).toEqual(['scorer']);
    expect((await call(`registered-models/search?filter=${encodeURIComponent("name LIKE 'sco%'")}`)).body.registered_models.map((m: { name: string }) => m.name)).toEqual([
      'scorer',
    ]);
    expect((await call('registered-models/get-latest-versions', { name: 'scorer', stages: ['Production'] })).body.model_versions).toEqual([]);
    // Flywheel's stages and governed tags are MLflow's: staged through /v1, seen through the MLflow API.
    const staged = await system.api('/v1/models/scorer/versions/1/stage', { method: 'POST', json: { stage: 'staging', reason: 'offline evaluation passed' } });
    expect(staged.status).toBe(200);
    expect((await call('model-versions/get?name=scorer&version=1')).body.model_version.current_stage).toBe('Staging');
    expect((await call('registered-models/get-latest-versions', { name: 'scorer', stages: ['Staging'] })).body.model_versions.map((v: { version: string }) => v.version)).toEqual([
      '1',
    ]);

    expect((await call('model-versions/create', { name: 'scorer', source: `runs:/${runId}/missing` })).status).toBe(404);
    expect((await call('model-versions/create', { name: 'scorer', source: 'file:///etc/passwd' })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await call('model-versions/get?name=scorer&version=9')).status).toBe(404);
    expect((await call('registered-models/get?name=nothing')).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});
