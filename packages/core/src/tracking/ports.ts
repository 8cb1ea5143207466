import type { MetricPoint, TrackingExperiment, TrackingRun } from './model.ts';
import type { RunBatch } from './run-changes.ts';

/** Where experiments, runs and metric histories are kept. Errors a caller can act on are TrackingErrors. */
export interface TrackingStore {
  /** Numbers the experiment; a name taken (by an active or a deleted experiment) is RESOURCE_ALREADY_EXISTS. */
  createExperiment(input: { name: string; artifactLocation?: string; tags: Readonly<Record<string, string>> }, now: number): Promise<TrackingExperiment>;
  getExperiment(experimentId: string): Promise<TrackingExperiment | undefined>;
  getExperimentByName(name: string): Promise<TrackingExperiment | undefined>;
  listExperiments(): Promise<TrackingExperiment[]>;
  /** Applies `change` to the stored experiment (retried on a concurrent write); RESOURCE_DOES_NOT_EXIST without one. */
  updateExperiment(experimentId: string, change: (experiment: TrackingExperiment) => TrackingExperiment): Promise<TrackingExperiment>;
  /** Moves the experiment to a free name. */
  renameExperiment(experimentId: string, newName: string, now: number): Promise<TrackingExperiment>;
  /** Stores the run unless one with its id exists; either way returns the stored run. */
  createRun(run: TrackingRun): Promise<{ run: TrackingRun; created: boolean }>;
  getRun(runId: string): Promise<TrackingRun | undefined>;
  /** Every run of the experiments, in no particular order. */
  listRuns(experimentIds: readonly string[]): Promise<TrackingRun[]>;
  /** Applies `change` to the stored run (retried on a concurrent write); RESOURCE_DOES_NOT_EXIST without one. */
  updateRun(runId: string, change: (run: TrackingRun) => TrackingRun): Promise<TrackingRun>;
  /**
   * Logs a batch to an active run as `applyBatch` describes it (params immutable, tags set, each
   * metric's latest point kept), written so that concurrent batches to one run all land; then
   * adds the metric points to the histories.
   */
  logBatch(runId: string, batch: RunBatch): Promise<void>;
  /** Adds points to the run's metric histories; a point logged twice is kept once. */
  appendMetricHistory(runId: string, points: readonly MetricPoint[]): Promise<void>;
  /** Oldest step first. */
  metricHistory(runId: string, key: string): Promise<MetricPoint[]>;
}

export interface ArtifactFile {
  /** Relative to the run's artifact root. */
  readonly path: string;
  readonly isDir: boolean;
  readonly fileSize?: number;
}

/** Reads what lies under a run's artifact URI. */
export interface TrackingArtifacts {
  /** The files and directories directly under `path` of the artifact root `rootUri`. */
  list(rootUri: string, path: string, options: { pageToken?: string; maxResults: number }): Promise<{ files: ArtifactFile[]; nextPageToken?: string }>;
  /** The bytes at `path` under `rootUri`; undefined when nothing is there. */
  read(rootUri: string, path: string, maxBytes: number): Promise<Uint8Array | undefined>;
}
