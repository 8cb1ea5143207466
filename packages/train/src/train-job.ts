import {
  appendRunLog,
  canaryVerdict,
  championVariant,
  endpointUpdatedEvent,
  finishRetrain,
  metadataIssues,
  nextEndpointRecord,
  retrainCompletedEvent,
  retrainFailedEvent,
  retrainStartedEvent,
  trainParamsSchema,
  registerModelVersion,
  withCanary,
  type ArtifactStore,
  type EndpointStore,
  type Lineage,
  type ModelRegistry,
  type ModelVersion,
  type RetrainPorts,
  type Run,
  type RunMetrics,
  type DatasetManifest,
  type FeatureStore,
  type RunDataset,
  datasetRef,
  describeDataset,
  recordBuiltinRun,
  type BuiltinRunLocations,
  type TrackingStore,
  type Logger,
  type BaselineStore,
} from '@flywheel/core';
import type { CodeVersion } from './code-version.ts';
import { loadModel, releaseModel, sha256Hex } from '@flywheel/inference';
import { DatasetError, encodeRows, type Dataset } from './dataset.ts';
import { trainChallenger, type TrainingResult } from './pipeline.ts';
import { predictModel } from './predictions.ts';
import { FeatureViewMissingError, joinViewFeatures } from './feature-views.ts';
import { DEFAULT_LOOKBACK_DAYS, DEFAULT_MAX_ROWS, championOf, registerDataset, trainingRows, type RunDatasetDependencies } from './run-dataset.ts';
import { RunFailure } from './run-failure.ts';
import { prepareExternalRun } from './external-run.ts';

export interface TrainJobDependencies extends RunDatasetDependencies {
  readonly retrain: RetrainPorts;
  readonly registry: Pick<ModelRegistry, 'getVersion' | 'getAlias' | 'register'>;
  readonly endpoints: Pick<EndpointStore, 'current' | 'append'>;
  readonly artifacts: Pick<ArtifactStore, 'getModel' | 'putModel'>;
  /** Stores the new version's reference profile, so the monitor judges drift of the canary too. */
  readonly baselines?: Pick<BaselineStore, 'storeReferenceProfile'>;
  /** Where view-backed features are joined point-in-time; without it the logged values are trained on. */
  readonly features?: Pick<FeatureStore, 'historical' | 'ports'>;
  /** Where an ended run is recorded as a tracking run of its model's experiment (the MLflow API reads it). */
  readonly tracking?: { readonly store: TrackingStore; readonly locations: BuiltinRunLocations };
  /** The code that trains, recorded on every run. */
  readonly code?: CodeVersion;
  readonly now?: () => Date;
  /** Where it logs besides the run's own log (default: nowhere; the train function passes Powertools Logger). */
  readonly logger?: Logger;
}

/** A run already running and started this recently belongs to another worker: leave it alone. */
const RUNNING_LEASE_MS = 20 * 60_000;
const BASELINE_ROWS = 5000;
const CANARY_WRITE_ATTEMPTS = 5;

/**
 * The train function's work for one run: queued → running → succeeded | failed. Assembles the
 * endpoint's logged predictions joined with their labels, trains a challenger shaped like the
 * champion, compares both on the same holdout, registers the challenger with its lineage, and
 * when it beats the champion by `minImprovement` starts it as a canary. Any failure is recorded
 * on the run (with the error) rather than thrown, so the job is not redelivered; the run can be
 * retried through the API.
 */
export async function runTrainJob(deps: TrainJobDependencies, runId: string): Promise<Run | undefined> {
  const now = () => (deps.now ?? (() => new Date()))();
  const run = await deps.retrain.runs.get(runId);
  if (!run) return run;
  if (run.trainer !== 'builtin') return prepareExternalRun(deps, run);
  // Delivered again after the run ended: make sure what follows its end happened (a crash may have cut it short).
  if (run.status === 'succeeded' || run.status === 'failed') return settle(deps, run);
  if (run.status === 'running' && run.startedAt && now().getTime() - Date.parse(run.startedAt) < RUNNING_LEASE_MS) return run;

  const attempt = run.attempts + 1;
  const startedAt = now().toISOString();
  let logs = appendRunLog(run.logs, `${startedAt} attempt ${attempt} started`);
  const started = await deps.retrain.runs.update(runId, [run.status], { status: 'running', attempts: attempt, startedAt, logs, timings: undefined });
  if (!started) return deps.retrain.runs.get(runId);
  await deps.retrain.events.publish(await retrainStartedEvent({ model: run.model, runId, ...(run.endpoint ? { endpoint: run.endpoint } : {}), attempt }, { time: startedAt }));

  const log = (line: string) => {
    logs = appendRunLog(logs, `${now().toISOString()} ${line}`);
    deps.logger?.info(line, { runId });
  };
  const flushLogs = () => deps.retrain.runs.update(runId, ['running'], { logs });
  let ended: Run | undefined;
  try {
    const outcome = await train(deps, started, log, flushLogs);
    log(outcome.canary.started ? `canary started: ${outcome.canary.reason}` : `no canary: ${outcome.canary.reason}`);
    ended = await deps.retrain.runs.update(runId, ['running'], { ...outcome, ...codeOf(deps), status: 'succeeded', error: undefined, finishedAt: now().toISOString(), logs });
  } catch (error) {
    const message =
      error instanceof RunFailure || error instanceof DatasetError || error instanceof FeatureViewMissingError
        ? error.message
        : `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
    deps.logger?.error('run failed', { runId, error: message, stack: (error as Error)?.stack });
    log(`failed: ${message}`);
    ended = await deps.retrain.runs.update(runId, ['running'], { ...codeOf(deps), status: 'failed', error: message.slice(0, 4000), finishedAt: now().toISOString(), logs });
  }
  return ended ? settle(deps, ended) : deps.retrain.runs.get(runId);
}

const codeOf = (deps: TrainJobDependencies) => (deps.code ? { code: deps.code } : {});

/**
 * After a run ends: free the model for its next run, announce the outcome and record it as a
 * tracking run (all idempotent). Freeing comes first, so a run asked for as soon as this one
 * shows its end is not coalesced into it.
 */
async function settle(deps: TrainJobDependencies, run: Run): Promise<Run> {
  const time = run.finishedAt ?? new Date().toISOString();
  await finishRetrain(deps.retrain, run, time);
  const subject = { model: run.model, runId: run.runId, ...(run.endpoint ? { endpoint: run.endpoint } : {}) };
  const event =
    run.status === 'succeeded'
      ? await retrainCompletedEvent(
          {
            ...subject,
            ...(run.version !== undefined ? { version: run.version } : {}),
            ...(run.metrics ? { metrics: { challenger: run.metrics.challenger, ...(run.metrics.champion ? { champion: run.metrics.champion } : {}) } } : {}),
            canary: run.canary ?? { started: false, reason: 'no canary was considered' },
          },
          { time },
        )
      : await retrainFailedEvent({ ...subject, attempt: Math.max(1, run.attempts), error: run.error ?? 'unknown error' }, { time });
  await deps.retrain.events.publish(event);
  if (deps.tracking) await recordBuiltinRun(deps.tracking.store, run, deps.tracking.locations, Date.parse(time));
  return run;
}

interface TrainOutcome {
  params: Record<string, unknown>;
  metrics: RunMetrics;
  dataset: RunDataset;
  parentVersion: number;
  version: number;
  canary: { started: boolean; reason: string };
  timings: Record<string, number>;
}

async function train(deps: TrainJobDependencies, run: Run, log: (line: string) => void, flushLogs: () => Promise<unknown>): Promise<TrainOutcome> {
  const now = () => (deps.now ?? (() => new Date()))();
  const phaseStart = performance.now();
  const timings: Record<string, number> = {};
  const lap = (phase: string, since: number) => (timings[phase] = Math.round(performance.now() - since));
  const params = trainParamsSchema.parse(run.params ?? {});
  const runChampion = await championOf(deps, run);
  const { config: current, version: champion, shape } = runChampion;
  const parentVersion = champion.version;
  log(`champion: ${run.model} version ${parentVersion} (variant ${runChampion.variant} of ${run.endpoint})`);

  let started = performance.now();
  const rows = await trainingRows(deps, run, params, runChampion, now(), log);
  const { requested } = rows;
  // A registered version's rows were joined when it was made; logged rows take the views' values as of each row's time.
  const { examples, views: featureViews } =
    deps.features && !requested ? await joinViewFeatures(deps.features, champion.features, rows.examples) : { examples: rows.examples, views: [] };
  for (const joined of featureViews) log(`joined ${joined.features.join(', ')} from feature view ${joined.view} point-in-time: ${joined.matched} of ${joined.rows} rows answered`);
  lap('assembleMs', started);
  await flushLogs();
  const dataset: Dataset = { features: shape.features, task: shape.task, examples };

  started = performance.now();
  const championBytes = await deps.artifacts.getModel(champion.sha256);
  const result = await trainChallenger({ dataset, params, layout: shape.layout, champion: { bytes: championBytes, task: shape.task }, log });
  lap('trainMs', started);
  Object.assign(timings, result.timings);
  await flushLogs();
  if (requested && result.manifest.sha256 !== requested.sha256) {
    throw new RunFailure(`dataset ${describeDataset(requested)} reads back as sha256 ${result.manifest.sha256}, not ${requested.sha256}: its stored bytes changed`);
  }
  const trainedOn = await registerDataset(deps, run, dataset, rows, now().toISOString());
  if (trainedOn && !requested) log(`registered dataset ${describeDataset(trainedOn)} (sha256 ${trainedOn.sha256.slice(0, 12)})`);
  const datasetVersion = trainedOn ? datasetRef(trainedOn) : undefined;
  const manifest: DatasetManifest = featureViews.length ? { ...result.manifest, featureViews } : result.manifest;

  // Registration, with lineage.
  started = performance.now();
  const metrics: RunMetrics = {
    challenger: result.metrics.challenger,
    ...(result.metrics.champion ? { champion: result.metrics.champion } : {}),
    primary: result.comparison?.primary ?? (shape.task.type === 'regression' ? 'rmse' : 'accuracy'),
    ...(result.comparison ? { improvement: result.comparison.improvement } : {}),
  };
  const resolvedParams = {
    ...result.params,
    lookbackDays: params.lookbackDays ?? DEFAULT_LOOKBACK_DAYS,
    maxRows: params.maxRows ?? DEFAULT_MAX_ROWS,
    includePrevious: params.includePrevious ?? false,
    ...(params.dataset ? { dataset: params.dataset } : {}),
  };
  const lineage: Lineage = {
    runId: run.runId,
    ...(datasetVersion ? { dataset: datasetVersion } : {}),
    manifestSha256: result.manifest.sha256,
    rows: result.manifest.rows,
    timeRange: result.manifest.timeRange,
    params: resolvedParams,
    metrics: { challenger: metrics.challenger, ...(metrics.champion ? { champion: metrics.champion } : {}) },
    parentVersion,
    ...(run.trigger.eventId ? { triggeringEventId: run.trigger.eventId } : {}),
  };
  const registered = await register(deps, champion, result, lineage, now().toISOString());
  lap('registerMs', started);
  log(`registered ${run.model} version ${registered.version}`);
  await storeBaseline(deps, registered, dataset, result).catch((error: unknown) => log(`no reference profile stored for version ${registered.version}: ${String(error)}`));

  // Rollout: a canary when it beats the champion by enough.
  started = performance.now();
  const policy = current.config.retrain ?? { minImprovement: 0, canaryPercent: 10 };
  const verdict = canaryVerdict(metrics.improvement, policy, metrics.primary);
  const canary = verdict.start ? await startCanary(deps, run, registered.version, policy.canaryPercent, now().toISOString()) : { started: false, reason: verdict.reason };
  lap('rolloutMs', started);
  timings.totalMs = Math.round(performance.now() - phaseStart);
  return {
    params: resolvedParams,
    metrics,
    dataset: { ...manifest, ...(datasetVersion ? { name: datasetVersion.name, version: datasetVersion.version } : {}) },
    parentVersion,
    version: registered.version,
    canary: canary.started ? { started: true, reason: `${verdict.reason}; ${canary.reason}` } : canary,
    timings,
  };
}

async function register(deps: TrainJobDependencies, champion: ModelVersion, result: TrainingResult, lineage: Lineage, at: string): Promise<ModelVersion> {
  const loaded = await loadModel(result.bytes, { batching: false }); // read for its signature, not served
  try {
    const metadata = { features: champion.features, task: champion.task };
    const issues = metadataIssues(metadata, loaded.signature);
    if (issues.length) throw new RunFailure(`the trained model does not fit the champion's metadata: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    const { version } = await registerModelVersion({ artifacts: deps.artifacts, registry: deps.registry, events: deps.retrain.events }, result.bytes, {
      model: champion.model,
      sha256: await sha256Hex(result.bytes),
      sizeBytes: result.bytes.byteLength,
      signature: loaded.signature,
      notes: [...loaded.notes],
      description: `Retrained by run ${lineage.runId} from version ${champion.version} (${result.params.algorithm}, ${lineage.rows} rows).`,
      ...metadata,
      lineage: { ...lineage },
      tags: { ...champion.tags, trainer: 'flywheel-builtin', algorithm: result.params.algorithm },
      createdAt: at,
    });
    return version;
  } finally {
    await releaseModel(loaded);
  }
}

async function storeBaseline(deps: TrainJobDependencies, version: ModelVersion, dataset: Dataset, result: TrainingResult): Promise<void> {
  if (!deps.baselines || !version.features) return;
  const sample = dataset.examples.slice(-BASELINE_ROWS);
  const predictions = predictModel(result.model, encodeRows(dataset, sample));
  const names = result.layout.outputs;
  const classes = dataset.task.classes ?? [];
  const outputs = sample.map((_, i) => {
    if (predictions.kind === 'values') return { [(names as { prediction: string }).prediction]: [predictions.values[i]] };
    const { label, probabilities } = names as { label: string; probabilities: string };
    return { [label]: classes[predictions.labels[i]], [probabilities]: Array.from(predictions.probabilities!.subarray(i * classes.length, (i + 1) * classes.length)) };
  });
  await deps.baselines.storeReferenceProfile(
    version.model,
    version.version,
    version.features,
    outputs,
    sample.map((e) => e.features),
  );
}

/** Puts the version on the endpoint as a canary, by a conditional append of the next config version. */
async function startCanary(deps: TrainJobDependencies, run: Run, version: number, percent: number, at: string): Promise<{ started: boolean; reason: string }> {
  for (let attempt = 0; attempt < CANARY_WRITE_ATTEMPTS; attempt++) {
    const current = await deps.endpoints.current(run.endpoint!);
    if (!current) return { started: false, reason: `endpoint ${run.endpoint} no longer exists` };
    if (championVariant(current.config).model !== run.model) return { started: false, reason: `endpoint ${run.endpoint} no longer mainly serves ${run.model}` };
    const next = withCanary(current.config, { model: run.model, version }, percent);
    if ('reason' in next) return { started: false, reason: next.reason };
    const record = nextEndpointRecord(
      run.endpoint!,
      current,
      { config: next.config, change: { kind: 'update', reason: `retraining run ${run.runId}: version ${version} as a ${percent}% canary`, actor: 'retrain' } },
      at,
    );
    if (await deps.endpoints.append(record)) {
      await deps.retrain.events.publish(await endpointUpdatedEvent({ endpoint: record.endpoint, configVersion: record.configVersion }, { time: at }));
      return { started: true, reason: `variant ${next.variant} serves ${percent}% of ${run.endpoint} (config version ${record.configVersion})` };
    }
  }
  return { started: false, reason: `endpoint ${run.endpoint} kept changing; the canary was not applied` };
}
