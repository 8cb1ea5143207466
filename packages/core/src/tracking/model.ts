/**
 * Experiment tracking as MLflow models it (REST API 2.0): experiments hold runs; a run has
 * immutable params, mutable tags, and metrics logged as (key, value, timestamp, step) points.
 */

export type LifecycleStage = 'active' | 'deleted';

/** MLflow's RunStatus. */
export const runStatuses = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
export type TrackingRunStatus = (typeof runStatuses)[number];

export interface TrackingExperiment {
  readonly experimentId: string;
  readonly name: string;
  readonly artifactLocation: string;
  readonly lifecycleStage: LifecycleStage;
  /** Epoch milliseconds. */
  readonly creationTime: number;
  readonly lastUpdateTime: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface MetricPoint {
  readonly key: string;
  readonly value: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly step: number;
}

/** A dataset the run used, as MLflow's DatasetInput describes it. */
export interface TrackingDatasetInput {
  readonly name: string;
  /** Content digest: the dataset's sha256. */
  readonly digest: string;
  readonly sourceType: string;
  readonly source: string;
  readonly schema?: string;
  readonly profile?: string;
  /** MLflow's `mlflow.data.context` input tag: training, evaluation… */
  readonly context?: string;
}

export interface TrackingRun {
  readonly runId: string;
  readonly experimentId: string;
  readonly runName: string;
  readonly userId: string;
  readonly status: TrackingRunStatus;
  readonly startTime: number;
  readonly endTime?: number;
  readonly artifactUri: string;
  readonly lifecycleStage: LifecycleStage;
  readonly params: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  /** The latest point per key (greatest step, then timestamp, then value), as MLflow reports a run's metrics. */
  readonly metrics: Readonly<Record<string, MetricPoint>>;
  readonly datasets?: readonly TrackingDatasetInput[];
}

/** MLflow's error codes this API answers with; each has the HTTP status MLflow gives it. */
export type TrackingErrorCode = 'RESOURCE_DOES_NOT_EXIST' | 'INVALID_PARAMETER_VALUE' | 'RESOURCE_ALREADY_EXISTS';

export class TrackingError extends Error {
  override name = 'TrackingError';
  constructor(
    readonly code: TrackingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** MLflow's mapping (mlflow/protos/databricks.proto codes → HTTP): an existing resource is a 400 there, not a 409. */
export function trackingErrorStatus(code: TrackingErrorCode): 400 | 404 {
  return code === 'RESOURCE_DOES_NOT_EXIST' ? 404 : 400;
}

export const invalidParameter = (message: string) => new TrackingError('INVALID_PARAMETER_VALUE', message);
export const doesNotExist = (message: string) => new TrackingError('RESOURCE_DOES_NOT_EXIST', message);
