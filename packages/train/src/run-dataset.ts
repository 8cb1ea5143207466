import {
  championVariant,
  describeDataset,
  type DatasetObjects,
  type DatasetRef,
  type DatasetRegistry,
  type DatasetVersion,
  type EndpointRecord,
  type EndpointStore,
  type ModelRegistry,
  type ModelVersion,
  type PredictionLogRecord,
  type Run,
  type RunDataset,
  type TrainParamsInput,
} from '@flywheel/core';
import { assembleExamples, type LabelRow, type LoggedRow } from './assemble.ts';
import type { Dataset, Example, TrainingFeature, TrainingTask } from './dataset.ts';
import type { OnnxLayout } from './export-onnx.ts';
import { canonicalDatasetBytes, datasetSummary } from './manifest.ts';
import { retrainableShape } from './registry-metadata.ts';
import { RunFailure } from './run-failure.ts';
import { byTime } from './split.ts';

/** Ground truth for an endpoint's predictions in a time range (feedback). */
export type LabelSource = (endpoint: string, range: { from: string; to: string }) => AsyncIterable<LabelRow> | Iterable<LabelRow>;

/** What finding a run's champion and its rows needs. */
export interface RunDatasetDependencies {
  readonly registry: Pick<ModelRegistry, 'getVersion' | 'getAlias'>;
  readonly endpoints: Pick<EndpointStore, 'current'>;
  /** The archived prediction logs of an endpoint. */
  readonly archive: { records(endpoint: string, range: { from: string; to: string }): AsyncIterable<PredictionLogRecord> };
  readonly labels: LabelSource;
  /** Unit hashes erased by subject: their logged rows are left out of every dataset assembled after. */
  readonly erasedUnits?: { units(): Promise<ReadonlySet<string>> };
  /** Where each run's dataset is registered as a version, and its bytes kept; without it runs record only the manifest. */
  readonly datasets?: { readonly registry: DatasetRegistry; readonly objects: DatasetObjects };
}

export const DEFAULT_LOOKBACK_DAYS = 30;
export const DEFAULT_MAX_ROWS = 200_000;

/** The model version the endpoint's main variant serves now, and the shape a model trained to replace it takes. */
export interface RunChampion {
  readonly config: EndpointRecord;
  readonly variant: string;
  readonly version: ModelVersion;
  readonly shape: { readonly features: TrainingFeature[]; readonly task: TrainingTask & { readonly output: string }; readonly layout: OnnxLayout };
}

export async function championOf(deps: RunDatasetDependencies, run: Run): Promise<RunChampion> {
  if (!run.endpoint) throw new RunFailure('the run names no endpoint, so there are no logged predictions to train on');
  const config = await deps.endpoints.current(run.endpoint);
  if (!config) throw new RunFailure(`endpoint ${run.endpoint} no longer exists`);
  const variant = championVariant(config.config);
  if (variant.model !== run.model) throw new RunFailure(`endpoint ${run.endpoint} now mainly serves model ${variant.model}, not ${run.model}`);
  const parentVersion = variant.version ?? (await deps.registry.getAlias(run.model, variant.alias!))?.version;
  if (parentVersion === undefined) throw new RunFailure(`alias ${variant.alias} of model ${run.model} points nowhere`);
  const version = await deps.registry.getVersion(run.model, parentVersion);
  if (!version) throw new RunFailure(`model ${run.model} has no version ${parentVersion}`);
  const shape = retrainableShape(version, version.signature.outputs);
  if ('reason' in shape) throw new RunFailure(`the built-in trainer cannot retrain ${run.model} version ${parentVersion}: ${shape.reason}`);
  return { config, variant: variant.name, version, shape };
}

/** The rows a run trains on, and where they came from. */
export interface TrainingRows {
  readonly examples: Example[];
  /** The registered version the run named, when it named one. */
  readonly requested?: DatasetVersion;
  /** The champion's dataset, when the run merged it in. */
  readonly merged?: DatasetRef;
  /** The span of logs read. */
  readonly window: { readonly from: string; readonly to: string };
}

/**
 * A registered dataset version when the run names one, else the endpoint's logged predictions of
 * this model joined with their labels (and the champion's dataset too, when asked).
 */
export async function trainingRows(
  deps: RunDatasetDependencies,
  run: Run,
  params: TrainParamsInput,
  champion: RunChampion,
  now: Date,
  log: (line: string) => void,
): Promise<TrainingRows> {
  const to = now.toISOString();
  const from = new Date(now.getTime() - (params.lookbackDays ?? DEFAULT_LOOKBACK_DAYS) * 86_400_000).toISOString();
  if (params.dataset) {
    const requested = await requestedDataset(deps, params.dataset, champion.shape);
    log(`training on dataset ${describeDataset(requested.version)} (${requested.examples.length} rows, sha256 ${requested.version.sha256.slice(0, 12)})`);
    return { examples: requested.examples, requested: requested.version, window: { from, to } };
  }
  const erased = (await deps.erasedUnits?.units()) ?? new Set<string>();
  const assembled = await assembleExamples(loggedRows(deps.archive.records(run.endpoint!, { from, to }), run.model, erased), deps.labels(run.endpoint!, { from, to }), {
    maxRows: params.maxRows ?? DEFAULT_MAX_ROWS,
  });
  log(`assembled ${assembled.examples.length} labelled rows (${assembled.unlabelled} logged rows without a label, ${assembled.duplicates} duplicates) from ${from} to ${to}`);
  const previous = params.includePrevious ? await previousExamples(deps, champion.version) : { examples: [] };
  if (params.includePrevious) log(`added ${previous.examples.length} rows of the champion's training data`);
  const examples = mergeExamples(previous.examples, assembled.examples, params.maxRows ?? DEFAULT_MAX_ROWS);
  return { examples, window: { from, to }, ...(previous.dataset ? { merged: previous.dataset } : {}) };
}

/**
 * The version the rows are: the one the run named, or — after storing the bytes under their hash —
 * the next version of the model's dataset (or the version these bytes already are).
 */
export async function registerDataset(deps: RunDatasetDependencies, run: Run, dataset: Dataset, rows: TrainingRows, at: string): Promise<DatasetVersion | undefined> {
  if (rows.requested) return rows.requested;
  if (!deps.datasets || dataset.examples.length === 0) return undefined;
  const bytes = canonicalDatasetBytes(dataset.examples);
  const summary = await datasetSummary(dataset);
  await deps.datasets.objects.put(summary.sha256, bytes);
  const registered = await deps.datasets.registry.register({
    name: run.model,
    ...summary,
    sizeBytes: bytes.byteLength,
    schema: {
      features: dataset.features.map((f) => ({ name: f.name, kind: f.kind, ...(f.categories ? { categories: [...f.categories] } : {}) })),
      label: { task: dataset.task.type, ...(dataset.task.classes ? { classes: [...dataset.task.classes] } : {}) },
    },
    source: { ...(run.endpoint ? { endpoint: run.endpoint } : {}), window: rows.window, ...(rows.merged ? { merged: rows.merged } : {}) },
    createdBy: { runId: run.runId },
    createdAt: at,
  });
  return registered.dataset;
}

/** What a run record says about a registered dataset version it used (no split: the trainer's business). */
export function runDataset(dataset: DatasetVersion): RunDataset {
  return {
    name: dataset.name,
    version: dataset.version,
    sha256: dataset.sha256,
    rows: dataset.rows,
    timeRange: dataset.timeRange,
    features: dataset.schema.features.map((f) => f.name),
    labels: dataset.labels,
  };
}

/** The examples of a registered dataset version a run asked for, checked to fit the champion's features and task. */
async function requestedDataset(
  deps: RunDatasetDependencies,
  request: { name: string; version: number },
  shape: RunChampion['shape'],
): Promise<{ version: DatasetVersion; examples: Example[] }> {
  const version = await deps.datasets?.registry.get(request.name, request.version);
  if (!version) throw new RunFailure(`there is no dataset ${describeDataset(request)}`);
  const wanted = shape.features.map((f) => `${f.name} (${f.kind})`).join(', ');
  const has = version.schema.features.map((f) => `${f.name} (${f.kind})`).join(', ');
  if (wanted !== has || version.schema.label.task !== shape.task.type) {
    throw new RunFailure(`dataset ${describeDataset(request)} has features ${has} for ${version.schema.label.task}; the champion takes ${wanted} for ${shape.task.type}`);
  }
  if (version.erasures?.length) {
    throw new RunFailure(`dataset ${describeDataset(request)} had rows erased by subject (erasure ${version.erasures[0]!.erasureId}), so it can no longer be repeated as it was`);
  }
  const lines = await deps.datasets!.objects.lines(version.sha256);
  if (!lines) throw new RunFailure(`the bytes of dataset ${describeDataset(request)} are no longer stored (datasets expire after the bucket's retention)`);
  return { version, examples: lines.filter(isExample) };
}

/** The examples of the dataset the champion was trained on, when its bytes are kept here; none otherwise. */
async function previousExamples(deps: RunDatasetDependencies, champion: ModelVersion): Promise<{ examples: Example[]; dataset?: DatasetRef }> {
  const sha256 = champion.lineage.manifestSha256;
  if (typeof sha256 !== 'string' || !deps.datasets) return { examples: [] };
  const lines = (await deps.datasets.objects.lines(sha256)) ?? [];
  const dataset = champion.lineage.dataset as DatasetRef | undefined;
  return { examples: lines.filter(isExample), ...(dataset ? { dataset } : {}) };
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
