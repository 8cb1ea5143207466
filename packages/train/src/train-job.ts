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
  type PredictionLogRecord,
  type RetrainPorts,
  type Run,
  type RunMetrics,
  type DatasetManifest,
} from '@flywheel/core';
import { loadModel, releaseModel, sha256Hex } from '@flywheel/inference';
import { assembleExamples, type LabelRow, type LoggedRow } from './assemble.ts';
import { DatasetError, encodeRows, type Dataset, type Example } from './dataset.ts';
import { byTime } from './split.ts';
import { canonicalDatasetBytes } from './manifest.ts';
import { trainChallenger, type TrainingResult } from './pipeline.ts';
import { predictModel } from './predictions.ts';
import { retrainableShape } from './registry-metadata.ts';

/** Ground truth for an endpoint's predictions in a time range (feedback). */
export type LabelSource = (endpoint: string, range: { from: string; to: string }) => AsyncIterable<LabelRow> | Iterable<LabelRow>;

export interface TrainJobDependencies {
  readonly retrain: RetrainPorts;
  readonly registry: Pick<ModelRegistry, 'getVersion' | 'getAlias' | 'register'>;
  readonly endpoints: Pick<EndpointStore, 'current' | 'append'>;
  readonly artifacts: Pick<ArtifactStore, 'getModel' | 'putModel'>;
  /** The archived prediction logs of an endpoint. */
  readonly archive: { records(endpoint: string, range: { from: string; to: string }): AsyncIterable<PredictionLogRecord> };
  readonly labels: LabelSource;
  /** Unit hashes erased by subject: their logged rows are left out of every dataset assembled after. */
  readonly erasedUnits?: { units(): Promise<ReadonlySet<string>> };
  /** Where each run's dataset is kept (`datasets/<runId>/`). */
  readonly datasets?: {
    put(runId: string, canonicalBytes: Uint8Array, manifest: DatasetManifest): Promise<unknown>;
    /** The lines of a run's recorded dataset, undefined when it recorded none. */
    lines(runId: string): Promise<unknown[] | undefined>;
  };
  /** Stores the new version's reference profile, so the monitor judges drift of the canary too. */
  readonly baselines?: {
    storeReferenceProfile(model: string, version: number, features: readonly { name: string; kind: 'numerical' | 'categorical'; categories?: readonly (string | number)[] }[], outputs: readonly Record<string, unknown>[] | undefined, records: readonly Record<string, unknown>[]): Promise<unknown>;
  };
  readonly now?: () => Date;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** A run already running and started this recently belongs to another worker: leave it alone. */
const RUNNING_LEASE_MS = 20 * 60_000;
const DEFAULT_LOOKBACK_DAYS = 30;
const DEFAULT_MAX_ROWS = 200_000;
const BASELINE_ROWS = 5000;
const CANARY_WRITE_ATTEMPTS = 5;

/** Something the run cannot get past however often it is retried as is: it fails with this message. */
export class RunFailure extends Error {
  override name = 'RunFailure';
}

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
  if (!run || run.trainer !== 'builtin') return run;
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
    deps.log?.('info', line, { runId });
  };
  const flushLogs = () => deps.retrain.runs.update(runId, ['running'], { logs });
  let ended: Run | undefined;
  try {
    const outcome = await train(deps, started, log, flushLogs);
    log(outcome.canary.started ? `canary started: ${outcome.canary.reason}` : `no canary: ${outcome.canary.reason}`);
    ended = await deps.retrain.runs.update(runId, ['running'], { ...outcome, status: 'succeeded', error: undefined, finishedAt: now().toISOString(), logs });
  } catch (error) {
    const message = error instanceof RunFailure || error instanceof DatasetError ? error.message : `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
    deps.log?.('error', 'run failed', { runId, error: message, stack: (error as Error)?.stack });
    log(`failed: ${message}`);
    ended = await deps.retrain.runs.update(runId, ['running'], { status: 'failed', error: message.slice(0, 4000), finishedAt: now().toISOString(), logs });
  }
  return ended ? settle(deps, ended) : deps.retrain.runs.get(runId);
}

/** After a run ends: free the model for its next run and announce the outcome (both idempotent). */
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
  return run;
}

interface TrainOutcome {
  params: Record<string, unknown>;
  metrics: RunMetrics;
  dataset: DatasetManifest;
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
  if (!run.endpoint) throw new RunFailure('the run names no endpoint, so there are no logged predictions to train on');
  const params = trainParamsSchema.parse(run.params ?? {});

  // The champion: the model version the endpoint's main variant serves now.
  const current = await deps.endpoints.current(run.endpoint);
  if (!current) throw new RunFailure(`endpoint ${run.endpoint} no longer exists`);
  const variant = championVariant(current.config);
  if (variant.model !== run.model) throw new RunFailure(`endpoint ${run.endpoint} now mainly serves model ${variant.model}, not ${run.model}`);
  const parentVersion = variant.version ?? (await deps.registry.getAlias(run.model, variant.alias!))?.version;
  if (parentVersion === undefined) throw new RunFailure(`alias ${variant.alias} of model ${run.model} points nowhere`);
  const champion = await deps.registry.getVersion(run.model, parentVersion);
  if (!champion) throw new RunFailure(`model ${run.model} has no version ${parentVersion}`);
  const shape = retrainableShape(champion, champion.signature.outputs);
  if ('reason' in shape) throw new RunFailure(`the built-in trainer cannot retrain ${run.model} version ${parentVersion}: ${shape.reason}`);
  log(`champion: ${run.model} version ${parentVersion} (variant ${variant.name} of ${run.endpoint})`);

  // The dataset: logged predictions of this model joined with their labels.
  let started = performance.now();
  const to = now().toISOString();
  const from = new Date(now().getTime() - (params.lookbackDays ?? DEFAULT_LOOKBACK_DAYS) * 86_400_000).toISOString();
  const erased = (await deps.erasedUnits?.units()) ?? new Set<string>();
  const assembled = await assembleExamples(loggedRows(deps.archive.records(run.endpoint, { from, to }), run.model, erased), deps.labels(run.endpoint, { from, to }), {
    maxRows: params.maxRows ?? DEFAULT_MAX_ROWS,
  });
  log(`assembled ${assembled.examples.length} labelled rows (${assembled.unlabelled} logged rows without a label, ${assembled.duplicates} duplicates) from ${from} to ${to}`);
  const previous = params.includePrevious ? await previousExamples(deps, champion) : [];
  if (params.includePrevious) log(`added ${previous.length} rows of the champion's training data`);
  const examples = mergeExamples(previous, assembled.examples, params.maxRows ?? DEFAULT_MAX_ROWS);
  lap('assembleMs', started);
  await flushLogs();
  const dataset: Dataset = { features: shape.features, task: shape.task, examples };

  started = performance.now();
  const championBytes = await deps.artifacts.getModel(champion.sha256);
  const result = await trainChallenger({ dataset, params, layout: shape.layout, champion: { bytes: championBytes, task: shape.task }, log });
  lap('trainMs', started);
  Object.assign(timings, result.timings);
  await flushLogs();
  await deps.datasets?.put(run.runId, canonicalDatasetBytes(examples), result.manifest);

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
  };
  const lineage: Lineage = {
    runId: run.runId,
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
  return { params: resolvedParams, metrics, dataset: result.manifest, parentVersion, version: registered.version, canary: canary.started ? { started: true, reason: `${verdict.reason}; ${canary.reason}` } : canary, timings };
}

/** The examples of the dataset the champion's run recorded; none when it was not trained here. */
async function previousExamples(deps: TrainJobDependencies, champion: ModelVersion): Promise<Example[]> {
  const runId = champion.lineage.runId;
  if (typeof runId !== 'string' || !deps.datasets) return [];
  const lines = (await deps.datasets.lines(runId)) ?? [];
  return lines.filter(isExample);
}

function isExample(line: unknown): line is Example {
  const e = line as Partial<Example> | null;
  return typeof e?.key === 'string' && typeof e.time === 'string' && typeof e.features === 'object' && e.features !== null && e.label !== undefined;
}

/** Newer rows win over older rows of the same key; the newest `maxRows` are kept, oldest first. */
function mergeExamples(older: readonly Example[], newer: readonly Example[], maxRows: number): Example[] {
  if (older.length === 0) return [...newer];
  const byKey = new Map(older.map((e) => [e.key, e]));
  for (const e of newer) byKey.set(e.key, e);
  return [...byKey.values()].sort(byTime).slice(-maxRows);
}

/** Archived rows this model served (shadows, failures and erased subjects left out), as the assembler reads them. */
async function* loggedRows(records: AsyncIterable<PredictionLogRecord>, model: string, erasedUnits: ReadonlySet<string>): AsyncGenerator<LoggedRow> {
  for await (const record of records) {
    if (record.model !== model || record.status !== 'ok' || record.shadowOf || record.truncated) continue;
    if (record.unit !== undefined && erasedUnits.has(record.unit)) continue;
    const slash = record.id.lastIndexOf('/');
    const row = Number(record.id.slice(slash + 1));
    if (slash < 0 || !Number.isInteger(row)) continue;
    yield { id: record.id.slice(0, slash), row, time: record.time, features: record.inputs };
  }
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
  await deps.baselines.storeReferenceProfile(version.model, version.version, version.features, outputs, sample.map((e) => e.features));
}

/** Puts the version on the endpoint as a canary, by a conditional append of the next config version. */
async function startCanary(deps: TrainJobDependencies, run: Run, version: number, percent: number, at: string): Promise<{ started: boolean; reason: string }> {
  for (let attempt = 0; attempt < CANARY_WRITE_ATTEMPTS; attempt++) {
    const current = await deps.endpoints.current(run.endpoint!);
    if (!current) return { started: false, reason: `endpoint ${run.endpoint} no longer exists` };
    if (championVariant(current.config).model !== run.model) return { started: false, reason: `endpoint ${run.endpoint} no longer mainly serves ${run.model}` };
    const next = withCanary(current.config, { model: run.model, version }, percent);
    if ('reason' in next) return { started: false, reason: next.reason };
    const record = nextEndpointRecord(run.endpoint!, current, { config: next.config, change: { kind: 'update', reason: `retraining run ${run.runId}: version ${version} as a ${percent}% canary`, actor: 'retrain' } }, at);
    if (await deps.endpoints.append(record)) {
      await deps.retrain.events.publish(await endpointUpdatedEvent({ endpoint: record.endpoint, configVersion: record.configVersion }, { time: at }));
      return { started: true, reason: `variant ${next.variant} serves ${percent}% of ${run.endpoint} (config version ${record.configVersion})` };
    }
  }
  return { started: false, reason: `endpoint ${run.endpoint} kept changing; the canary was not applied` };
}
