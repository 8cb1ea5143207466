import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startProcess } from '@flywheel/testing/start-process';
import { tempDataDir } from '@flywheel/testing/temp-dir';

// The npm package `mlflow` (a REST API 2.0 client for Node.js written by someone else), used as a
// data scientist would: pointed at Flywheel's URL with the API key as a bearer header.
const require = createRequire(import.meta.url);
const MLflow = require('mlflow') as new (options: {
  endpoint: string;
  headers?: Record<string, string>;
}) => {
  Experiments: { create(args: { name: string }): Promise<{ experiment_id: string }>; get(args: { experiment_id: string }): Promise<{ experiment: { name: string } }> };
  Runs: {
    create(args: { experiment_id: string; start_time?: number; tags?: Array<{ key: string; value: string }> }): Promise<{ run: { info: { run_id: string } } }>;
    get(args: { run_id: string }): Promise<{ run: MlflowRun }>;
    logParameter(args: { run_id: string; key: string; value: string }): Promise<unknown>;
    logMetric(args: { run_id: string; key: string; value: number; timestamp: number; step?: number }): Promise<unknown>;
    logBatch(args: { run_id: string; metrics?: unknown[]; params?: unknown[]; tags?: unknown[] }): Promise<unknown>;
    update(args: { run_id: string; status: string; end_time: number }): Promise<{ run_info: { status: string } }>;
    search(args: { experiment_ids: string[]; filter?: string; order_by?: string[]; max_results?: number }): Promise<{ runs?: MlflowRun[] }>;
  };
  Metrics: { getHistory(args: { run_id: string; metric_key: string }): Promise<{ metrics: Array<{ key: string; value: number; step: number; timestamp: number }> }> };
};
const { RunStatus } = require('mlflow/enum') as { RunStatus: Record<'FINISHED', string> };

interface MlflowRun {
  info: { run_id: string; status: string; end_time?: number };
  data: { metrics?: Array<{ key: string; value: number; step: number }>; params?: Array<{ key: string; value: string }>; tags?: Array<{ key: string; value: string }> };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a stock MLflow client against npm start', () => {
  it('creates an experiment and runs, logs params, stepped metrics and a batch, finishes, searches by metric and reads a history', async () => {
    const dir = await tempDataDir('mlflow-client');
    cleanups.push(dir.remove);
    const server = startProcess({ PORT: '0', FLYWHEEL_DATA_DIR: dir.path });
    cleanups.push(async () => void server.child.kill('SIGKILL'));
    const url = await server.listening();
    const key = /\n\[flywheel\]\s+(fw_\S+)/.exec(server.output())![1]!;
    // The client prints every request body it sends; keep the test output readable.
    const print = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    cleanups.push(async () => print.mockRestore());
    const client = new MLflow({ endpoint: url, headers: { Authorization: `Bearer ${key}` } });

    const { experiment_id } = await client.Experiments.create({ name: 'churn-notebook' });
    expect((await client.Experiments.get({ experiment_id })).experiment.name).toBe('churn-notebook');

    async function train(depth: string, losses: number[], accuracy: number) {
      const { run } = await client.Runs.create({ experiment_id, start_time: Date.now(), tags: [{ key: 'mlflow.runName', value: `depth-${depth}` }] });
      const run_id = run.info.run_id;
      await client.Runs.logParameter({ run_id, key: 'max_depth', value: depth });
      for (const [step, value] of losses.entries()) await client.Runs.logMetric({ run_id, key: 'loss', value, timestamp: Date.now(), step });
      await client.Runs.logBatch({
        run_id,
        metrics: [{ key: 'accuracy', value: accuracy, timestamp: Date.now(), step: 0 }],
        params: [
          { key: 'learning_rate', value: '0.1' },
          { key: 'features', value: 'tenure,spend' },
        ],
        tags: [{ key: 'dataset', value: 'churn-2026-12' }],
      });
      const finished = await client.Runs.update({ run_id, status: RunStatus.FINISHED, end_time: Date.now() });
      expect(finished.run_info.status).toBe('FINISHED');
      return run_id;
    }
    const shallow = await train('3', [0.9, 0.7, 0.6], 0.78);
    const deep = await train('6', [0.8, 0.5, 0.35], 0.86);

    const logged = (await client.Runs.get({ run_id: deep })).run;
    expect(logged.info.status).toBe('FINISHED');
    expect(Object.fromEntries((logged.data.params ?? []).map((p) => [p.key, p.value]))).toEqual({ max_depth: '6', learning_rate: '0.1', features: 'tenure,spend' });
    expect(logged.data.metrics).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'loss', value: 0.35, step: 2 }), expect.objectContaining({ key: 'accuracy', value: 0.86 })]),
    );

    const { runs = [] } = await client.Runs.search({ experiment_ids: [experiment_id], filter: "metrics.accuracy > 0.8 AND params.learning_rate = '0.1'" });
    expect(runs.map((r) => r.info.run_id)).toEqual([deep]);
    const ranked = await client.Runs.search({ experiment_ids: [experiment_id], order_by: ['metrics.loss ASC'] });
    expect((ranked.runs ?? []).map((r) => r.info.run_id)).toEqual([deep, shallow]);

    const { metrics } = await client.Metrics.getHistory({ run_id: shallow, metric_key: 'loss' });
    expect(metrics.map((m) => [m.step, m.value])).toEqual([
      [0, 0.9],
      [1, 0.7],
      [2, 0.6],
    ]);

    // A param is immutable: the client sees MLflow's error, and the run keeps the first value.
    const changed = await client.Runs.logParameter({ run_id: shallow, key: 'max_depth', value: '4' }).then(
      () => undefined,
      (error: Error) => error.message,
    );
    expect(changed).toMatch(/"status":400/);
    expect(changed).toMatch(/INVALID_PARAMETER_VALUE/);
    expect(((await client.Runs.get({ run_id: shallow })).run.data.params ?? []).find((p) => p.key === 'max_depth')?.value).toBe('3');
  }, 60_000);
});
