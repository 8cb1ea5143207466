import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@flywheel/core';
import type { Run } from '@flywheel/core';
import { TRAINER_VERSION } from '@flywheel/train';
import { createEventsHandler, createTrainHandler } from '@flywheel/deploy';
import { MemoryLabels, archiveShiftedTraffic, eventually, putRetrainingEndpoint, registerConceptOneModel } from '@flywheel/testing/retrain-fixtures';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

describe('built-in retraining runs are tracking runs', () => {
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

  const mlflow = async (path: string, json?: unknown) => {
    const response = await system.api(`/api/2.0/mlflow/${path}`, json === undefined ? {} : { method: 'POST', json });
    expect(response.status, path).toBe(200);
    return (await response.json()) as any;
  };

  it('shows a retraining run through both APIs with every hyperparameter, both models’ holdout metrics, the dataset and the code version, and compares runs side by side', async () => {
    const { version } = await registerConceptOneModel(system, 'churn');
    await putRetrainingEndpoint(system, 'churn', 'churn', version);
    labels.add('churn', await archiveShiftedTraffic(system, 'churn', 'churn', version));
    const { runId } = (await (await system.api('/v1/models/churn/retrain', { method: 'POST', json: { params: { trees: { rounds: 30 } } } })).json()) as { runId: string };
    const done = await eventually(
      async () => {
        const run = (await (await system.api(`/v1/runs/${runId}`)).json()) as Run;
        return run.status === 'succeeded' || run.status === 'failed' ? run : undefined;
      },
      `run ${runId} to finish`,
      50_000,
    );
    expect(done.status).toBe('succeeded');
    const gitSha = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    expect(done.code).toEqual({ gitSha, trainer: TRAINER_VERSION });
    // The tree settings left to their defaults are recorded resolved.
    expect(done.params).toMatchObject({ trees: { rounds: 30, learningRate: 0.1, maxDepth: 3, minLeafRows: 20, lambda: 1, maxBins: 32 } });

    // Recorded as the run settles, just after its status changes.
    await eventually(async () => ((await system.api(`/api/2.0/mlflow/runs/get?run_id=${runId}`)).status === 200 ? true : undefined), 'the tracking run', 10_000);
    const experiment = (await mlflow('experiments/get-by-name?experiment_name=churn')).experiment;
    expect(experiment.tags).toContainEqual({ key: 'flywheel.model', value: 'churn' });
    const { run } = await mlflow(`runs/get?run_id=${runId}`);
    expect(run.info).toMatchObject({
      run_id: runId,
      experiment_id: experiment.experiment_id,
      status: 'FINISHED',
      start_time: Date.parse(done.startedAt!),
      end_time: Date.parse(done.finishedAt!),
    });
    const params = Object.fromEntries(run.data.params.map((p: { key: string; value: string }) => [p.key, p.value]));
    expect(params).toMatchObject({
      algorithm: 'boosted-trees',
      holdoutFraction: '0.2',
      'trees.rounds': '30',
      'trees.maxDepth': '3',
      'trees.learningRate': '0.1',
      'trees.maxBins': '32',
      lookbackDays: '30',
    });
    const metrics = Object.fromEntries(run.data.metrics.map((m: { key: string; value: number }) => [m.key, m.value]));
    expect(metrics.accuracy).toBe(done.metrics!.challenger.accuracy);
    expect(metrics['champion.accuracy']).toBe(done.metrics!.champion!.accuracy);
    expect(metrics.improvement).toBeCloseTo(done.metrics!.improvement!, 12);
    const tags = Object.fromEntries(run.data.tags.map((t: { key: string; value: string }) => [t.key, t.value]));
    expect(tags).toMatchObject({
      'mlflow.source.git.commit': gitSha,
      'flywheel.trainer.version': TRAINER_VERSION,
      'flywheel.dataset.sha256': done.dataset!.sha256,
      'flywheel.dataset.version': `${done.dataset!.name}:${done.dataset!.version}`,
      'flywheel.version': String(done.version),
      'flywheel.parent_version': '1',
      'flywheel.trigger': 'manual',
    });
    expect(run.inputs.dataset_inputs).toEqual([
      {
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
        dataset: expect.objectContaining({
          name: `churn:${done.dataset!.version}`,
          digest: done.dataset!.sha256,
          source_type: 's3',
          source: `s3://${system.names.bucket}/datasets/sha256/${done.dataset!.sha256}.ndjson.gz`,
        }),
      },
    ]);
    // Its metrics are searchable like any logged run's.
    const found = await mlflow('runs/search', {
      experiment_ids: [experiment.experiment_id],
      filter: `metrics.accuracy > ${metrics['champion.accuracy']} AND tags.\`flywheel.trigger\` = 'manual'`,
    });
    expect(found.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([runId]);

    // A data scientist's run logged to the model's experiment compares beside it.
    const external = (await mlflow('runs/create', { experiment_id: experiment.experiment_id, run_name: 'notebook' })).run.info.run_id as string;
    await mlflow('runs/log-batch', {
      run_id: external,
      metrics: [{ key: 'accuracy', value: 0.5, timestamp: Date.now(), step: 0 }],
      params: [{ key: 'algorithm', value: 'logistic' }],
    });
    const compared = (await (await system.api('/v1/runs?model=churn&order=accuracy')).json()) as any;
    expect(compared.order).toEqual({ metric: 'accuracy', direction: 'desc' });
    expect(compared.runs.map((r: { runId: string }) => r.runId)).toEqual([runId, external]);
    expect(compared.runs[0]).toMatchObject({
      source: 'builtin',
      status: 'FINISHED',
      version: done.version,
      code: { gitSha, trainer: TRAINER_VERSION },
      dataset: { digest: done.dataset!.sha256 },
      params: { 'trees.rounds': '30' },
      metrics: { accuracy: done.metrics!.challenger.accuracy, 'champion.accuracy': done.metrics!.champion!.accuracy },
    });
    expect(compared.runs[1]).toMatchObject({ source: 'tracking-api', runName: 'notebook', metrics: { accuracy: 0.5 } });
    expect(compared.columns.params).toEqual(expect.arrayContaining(['algorithm', 'trees.rounds']));
    const ascending = (await (await system.api('/v1/runs?model=churn&order=accuracy&direction=asc')).json()) as any;
    expect(ascending.runs.map((r: { runId: string }) => r.runId)).toEqual([external, runId]);
    expect((await system.api('/v1/runs?model=churn&order=../x')).status).toBe(400);
    expect((await (await system.api('/v1/runs?model=nomodel')).json()).runs).toEqual([]);
  }, 90_000);
});
