import type { Run } from '../retrain/run.ts';
import { TrackingError, type MetricPoint, type TrackingDatasetInput, type TrackingRun } from './model.ts';
import type { TrackingStore } from './ports.ts';

/** Where a built-in run's artifacts and dataset live, as URIs. */
export interface BuiltinRunLocations {
  /** The experiment's artifact location; the run's artifacts are under `<root>/<runId>/artifacts`. */
  readonly artifactRoot: (experimentId: string) => string;
  /** Where the run's training dataset is kept. */
  readonly datasetSource: (sha256: string) => string;
}

/** Tag naming the model a built-in experiment tracks. */
export const MODEL_TAG = 'flywheel.model';

/**
 * Hyperparameters as MLflow params: strings, nested settings flattened with dots
 * (`trees.maxDepth`), lists as JSON.
 */
export function flattenParams(params: Readonly<Record<string, unknown>>, prefix = ''): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const name = `${prefix}${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) Object.assign(flat, flattenParams(value as Record<string, unknown>, `${name}.`));
    else flat[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return flat;
}

/**
 * A finished retraining run as a tracking run of its model's experiment: the challenger's holdout
 * metrics under their names, the champion's on the same holdout as `champion.<name>`, every
 * hyperparameter, the dataset as an input, the code version as MLflow's source tags.
 */
export function builtinTrackingRun(run: Run, experimentId: string, locations: BuiltinRunLocations): { run: TrackingRun; history: MetricPoint[] } {
  const startTime = Date.parse(run.startedAt ?? run.createdAt);
  const endTime = run.finishedAt ? Date.parse(run.finishedAt) : undefined;
  const at = endTime ?? startTime;
  const points: MetricPoint[] = [];
  const add = (key: string, value: number | undefined) => {
    if (typeof value === 'number' && Number.isFinite(value)) points.push({ key, value, timestamp: at, step: 0 });
  };
  for (const [key, value] of Object.entries(run.metrics?.challenger ?? {})) add(key, value);
  for (const [key, value] of Object.entries(run.metrics?.champion ?? {})) add(`champion.${key}`, value);
  add('improvement', run.metrics?.improvement);
  const runName = run.version !== undefined ? `${run.model} v${run.version}` : `${run.model} ${run.runId}`;
  const tags: Record<string, string> = {
    'mlflow.runName': runName,
    'mlflow.user': 'flywheel',
    'mlflow.source.type': 'JOB',
    'mlflow.source.name': run.trainer === 'builtin' ? 'flywheel-builtin' : `webhook:${run.trainer.webhook}`,
    [MODEL_TAG]: run.model,
    'flywheel.trigger': run.trigger.kind,
    ...(run.trigger.reason ? { 'flywheel.trigger.reason': run.trigger.reason.slice(0, 1000) } : {}),
    ...(run.endpoint ? { 'flywheel.endpoint': run.endpoint } : {}),
    ...(run.version !== undefined ? { 'flywheel.version': String(run.version) } : {}),
    ...(run.parentVersion !== undefined ? { 'flywheel.parent_version': String(run.parentVersion) } : {}),
    ...(run.metrics ? { 'flywheel.primary_metric': run.metrics.primary } : {}),
    ...(run.canary ? { 'flywheel.canary': run.canary.started ? 'started' : 'not started', 'flywheel.canary.reason': run.canary.reason.slice(0, 1000) } : {}),
    ...(run.code ? { 'mlflow.source.git.commit': run.code.gitSha, 'flywheel.trainer.version': run.code.trainer } : {}),
    ...(run.dataset ? { 'flywheel.dataset.sha256': run.dataset.sha256 } : {}),
    ...(run.dataset?.version !== undefined ? { 'flywheel.dataset.version': `${run.dataset.name}:${run.dataset.version}` } : {}),
    ...(run.error ? { 'flywheel.error': run.error.slice(0, 2000) } : {}),
  };
  const datasets: TrackingDatasetInput[] = run.dataset
    ? [
        {
          // The registered dataset version, when the run's dataset is one.
          name: run.dataset.name && run.dataset.version !== undefined ? `${run.dataset.name}:${run.dataset.version}` : `${run.model}-training`,
          digest: run.dataset.sha256,
          sourceType: 's3',
          source: locations.datasetSource(run.dataset.sha256),
          schema: JSON.stringify({ features: run.dataset.features }),
          profile: JSON.stringify({ rows: run.dataset.rows, trainRows: run.dataset.trainRows, holdoutRows: run.dataset.holdoutRows, timeRange: run.dataset.timeRange }),
          context: 'training',
        },
      ]
    : [];
  const tracking: TrackingRun = {
    runId: run.runId,
    experimentId,
    runName,
    userId: 'flywheel',
    status: run.status === 'succeeded' ? 'FINISHED' : run.status === 'failed' ? 'FAILED' : run.status === 'running' ? 'RUNNING' : 'SCHEDULED',
    startTime,
    ...(endTime !== undefined ? { endTime } : {}),
    artifactUri: `${locations.artifactRoot(experimentId)}/${run.runId}/artifacts`,
    lifecycleStage: 'active',
    params: flattenParams(run.params ?? {}),
    tags,
    metrics: Object.fromEntries(points.map((point) => [point.key, point])),
    ...(datasets.length ? { datasets } : {}),
  };
  return { run: tracking, history: points };
}

/** The experiment a model's built-in runs belong to: the one named after the model, made on first use. */
export async function modelExperiment(store: TrackingStore, model: string, now: number): Promise<string> {
  const existing = await store.getExperimentByName(model);
  if (existing) return existing.experimentId;
  try {
    return (await store.createExperiment({ name: model, tags: { [MODEL_TAG]: model } }, now)).experimentId;
  } catch (error) {
    // Another run of the model made it meanwhile.
    if (error instanceof TrackingError && error.code === 'RESOURCE_ALREADY_EXISTS') {
      const made = await store.getExperimentByName(model);
      if (made) return made.experimentId;
    }
    throw error;
  }
}

/**
 * Records a retraining run in the tracking store, idempotently: delivered again, it writes the
 * same run. Written whole, since a built-in run is logged once, when it ends.
 */
export async function recordBuiltinRun(store: TrackingStore, run: Run, locations: BuiltinRunLocations, now: number): Promise<TrackingRun> {
  const experimentId = await modelExperiment(store, run.model, now);
  const { run: tracking, history } = builtinTrackingRun(run, experimentId, locations);
  const { created } = await store.createRun(tracking);
  // A retried run ends again with new results: the newest attempt wins, except for what a user added.
  const stored = created
    ? tracking
    : await store.updateRun(run.runId, (current) => ({ ...tracking, tags: { ...current.tags, ...tracking.tags }, lifecycleStage: current.lifecycleStage }));
  await store.appendMetricHistory(run.runId, history);
  return stored;
}
