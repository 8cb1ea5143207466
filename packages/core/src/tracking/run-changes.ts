import { invalidParameter, type MetricPoint, type TrackingRun, type TrackingRunStatus } from './model.ts';
import { isStorableNumber, STORABLE_NUMBER_RANGE } from '../limits/storable-number.ts';

/** MLflow's limits on what one request logs and on keys and values. */
export const TRACKING_LIMITS = {
  metricsPerBatch: 1000,
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  entriesPerBatch: 1000,
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 8000,
  runNameLength: 500,
} as const;

export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

export interface RunBatch {
  readonly metrics?: readonly MetricPoint[];
  readonly params?: readonly KeyValue[];
  readonly tags?: readonly KeyValue[];
}

/** Alphanumerics, `_ - . / :` and spaces, not a path that climbs or starts at the root (MLflow's rule). */
export function validateKey(kind: 'metric' | 'param' | 'tag', key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw invalidParameter(`Missing value for required parameter '${kind} key'.`);
  if (key.length > TRACKING_LIMITS.keyLength) throw invalidParameter(`${capital(kind)} key '${key.slice(0, 50)}…' is longer than ${TRACKING_LIMITS.keyLength} characters.`);
  if (!/^[\w\-. /:]+$/.test(key) || key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.')) {
    throw invalidParameter(
      `Invalid ${kind} name: '${key}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colons (:) and slashes (/), and may not climb out of a path.`,
    );
  }
  return key;
}

function validateValue(kind: 'param' | 'tag', key: string, value: unknown): string {
  if (typeof value !== 'string') throw invalidParameter(`The value of ${kind} '${key}' must be a string.`);
  const limit = kind === 'param' ? TRACKING_LIMITS.paramValueLength : TRACKING_LIMITS.tagValueLength;
  if (value.length > limit) throw invalidParameter(`The value of ${kind} '${key}' is longer than ${limit} characters.`);
  return value;
}

export function validateMetric(point: { key?: unknown; value?: unknown; timestamp?: unknown; step?: unknown }): MetricPoint {
  const key = validateKey('metric', point.key);
  if (typeof point.value !== 'number' || !isStorableNumber(point.value))
    throw invalidParameter(`Got invalid value ${String(point.value)} for metric '${key}' (${STORABLE_NUMBER_RANGE} is needed).`);
  const timestamp = Number(point.timestamp);
  if (point.timestamp === undefined || point.timestamp === null || !Number.isSafeInteger(timestamp))
    throw invalidParameter(`Missing or invalid value for required parameter 'timestamp' of metric '${key}'.`);
  const step = point.step === undefined || point.step === null ? 0 : Number(point.step);
  if (!Number.isSafeInteger(step)) throw invalidParameter(`Invalid step ${String(point.step)} for metric '${key}'.`);
  return { key, value: point.value, timestamp, step };
}

export function validateBatch(batch: { metrics?: unknown; params?: unknown; tags?: unknown }): Required<RunBatch> {
  const list = (field: 'metrics' | 'params' | 'tags'): Record<string, unknown>[] => {
    const value = batch[field] ?? [];
    if (!Array.isArray(value) || value.some((item) => item === null || typeof item !== 'object')) throw invalidParameter(`'${field}' must be a list of objects.`);
    return value as Record<string, unknown>[];
  };
  const metrics = list('metrics');
  const params = list('params');
  const tags = list('tags');
  if (metrics.length > TRACKING_LIMITS.metricsPerBatch) throw invalidParameter(`A batch logged ${metrics.length} metrics; the limit is ${TRACKING_LIMITS.metricsPerBatch}.`);
  if (params.length > TRACKING_LIMITS.paramsPerBatch) throw invalidParameter(`A batch logged ${params.length} params; the limit is ${TRACKING_LIMITS.paramsPerBatch}.`);
  if (tags.length > TRACKING_LIMITS.tagsPerBatch) throw invalidParameter(`A batch logged ${tags.length} tags; the limit is ${TRACKING_LIMITS.tagsPerBatch}.`);
  if (metrics.length + params.length + tags.length > TRACKING_LIMITS.entriesPerBatch) throw invalidParameter(`A batch may log ${TRACKING_LIMITS.entriesPerBatch} entries in all.`);
  const keyValues = (kind: 'param' | 'tag', items: Record<string, unknown>[]) =>
    items.map((item) => {
      const key = validateKey(kind, item.key);
      return { key, value: validateValue(kind, key, item.value) };
    });
  const checkedParams = keyValues('param', params);
  // One batch may not give a param two values, as MLflow refuses.
  const seen = new Map<string, string>();
  for (const { key, value } of checkedParams) {
    if (seen.has(key) && seen.get(key) !== value) throw invalidParameter(`Duplicate parameter keys have been submitted: '${key}' with two values.`);
    seen.set(key, value);
  }
  return { metrics: metrics.map(validateMetric), params: checkedParams, tags: keyValues('tag', tags) };
}

/** Whether `a` supersedes `b` as a run's latest value of a metric: a greater step, then timestamp, then value. */
export function later(a: MetricPoint, b: MetricPoint | undefined): boolean {
  if (!b) return true;
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return a.value > b.value;
}

/** The latest point of each metric key among `points`. */
export function latestPoints(points: readonly MetricPoint[]): MetricPoint[] {
  const latest = new Map<string, MetricPoint>();
  for (const point of points) if (later(point, latest.get(point.key))) latest.set(point.key, point);
  return [...latest.values()];
}

function assertActive(run: TrackingRun): void {
  if (run.lifecycleStage !== 'active') throw invalidParameter(`The run ${run.runId} must be in the 'active' state. Current state is ${run.lifecycleStage}.`);
}

/**
 * The run with a batch applied. Params are immutable: logging a param again with its value is a
 * no-op, with another value an error (nothing of the batch is applied then).
 */
export function applyBatch(run: TrackingRun, batch: RunBatch): TrackingRun {
  assertActive(run);
  const params = { ...run.params };
  for (const { key, value } of batch.params ?? []) {
    const logged = params[key];
    if (logged !== undefined && logged !== value) {
      throw invalidParameter(
        `Changing param values is not allowed. Param with key='${key}' was already logged with value='${logged}' for run ID='${run.runId}'. Attempted logging new value '${value}'.`,
      );
    }
    params[key] = value;
  }
  const tags = { ...run.tags };
  for (const { key, value } of batch.tags ?? []) tags[key] = value;
  const metrics = { ...run.metrics };
  for (const point of batch.metrics ?? []) if (later(point, metrics[point.key])) metrics[point.key] = point;
  // MLflow keeps the run name and the mlflow.runName tag as one.
  const runName = tags['mlflow.runName'] ?? run.runName;
  return { ...run, params, tags, metrics, runName };
}

export function deleteTag(run: TrackingRun, key: string): TrackingRun {
  assertActive(run);
  if (!(key in run.tags)) throw invalidParameter(`No tag with name: ${key} in run with id ${run.runId}.`);
  const { [key]: _removed, ...tags } = run.tags;
  return { ...run, tags };
}

/** runs/update: a status, an end time, a new name. */
export function updateRunInfo(run: TrackingRun, change: { status?: TrackingRunStatus; endTime?: number; runName?: string }): TrackingRun {
  assertActive(run);
  const runName = change.runName ?? run.runName;
  if (runName.length > TRACKING_LIMITS.runNameLength) throw invalidParameter(`A run name may be ${TRACKING_LIMITS.runNameLength} characters at most.`);
  return {
    ...run,
    ...(change.status ? { status: change.status } : {}),
    ...(change.endTime !== undefined ? { endTime: change.endTime } : {}),
    runName,
    tags: { ...run.tags, 'mlflow.runName': runName },
  };
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
