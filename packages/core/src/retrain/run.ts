import type { RunTrigger } from './policy.ts';
import type { DatasetManifest } from './lineage.ts';

/** queued → running → succeeded | failed; a failed run may be queued again (retried). */
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export type RunTrainer = 'builtin' | { readonly webhook: string };

/** Metrics on the shared holdout, by model role. */
export interface RunMetrics {
  readonly challenger: Readonly<Record<string, number>>;
  readonly champion?: Readonly<Record<string, number>>;
  /** The metric the canary decision compares (`accuracy` for classification, `rmse` for regression). */
  readonly primary: string;
  /** Challenger over champion on `primary`, positive when better (relative for error metrics). */
  readonly improvement?: number;
}

/**
 * What a run trained on: the manifest, and the registered dataset version it is (`name`,
 * `version`, with the manifest's `sha256`); runs recorded before datasets were versioned lack those
 * two. The split (train and holdout rows) is known for built-in runs only.
 */
export type RunDataset = Omit<DatasetManifest, 'trainRows' | 'holdoutRows'> &
  Partial<Pick<DatasetManifest, 'trainRows' | 'holdoutRows'>> & { readonly name?: string; readonly version?: number };

/** A retraining run: what experiment tracking keeps about it. */
export interface Run {
  readonly runId: string;
  readonly model: string;
  /** The endpoint whose logs train the model and whose traffic the canary joins. */
  readonly endpoint?: string;
  readonly status: RunStatus;
  readonly trigger: RunTrigger & { readonly reason?: string };
  readonly trainer: RunTrainer;
  readonly attempts: number;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly metrics?: RunMetrics;
  readonly dataset?: RunDataset;
  /** The code that trained it: the deployed build's git sha and the trainer's version. */
  readonly code?: { readonly gitSha: string; readonly trainer: string };
  /** The champion the run started from. */
  readonly parentVersion?: number;
  /** The version the run registered. */
  readonly version?: number;
  /** Whether the new version went out as a canary, and why (not). */
  readonly canary?: { readonly started: boolean; readonly reason: string };
  readonly error?: string;
  /** Milliseconds per phase of the latest attempt. */
  readonly timings?: Readonly<Record<string, number>>;
  /** Progress lines of the latest attempt, oldest first. */
  readonly logs: readonly string[];
}

export const MAX_RUN_LOG_LINES = 200;
export const MAX_RUN_LOG_LINE_LENGTH = 500;

/** Adds a line, keeping the log bounded (the newest lines win) so a run record stays small. */
export function appendRunLog(logs: readonly string[], line: string): string[] {
  const bounded = line.length > MAX_RUN_LOG_LINE_LENGTH ? `${line.slice(0, MAX_RUN_LOG_LINE_LENGTH - 1)}…` : line;
  return [...logs, bounded].slice(-MAX_RUN_LOG_LINES);
}

/** A page cursor that no earlier page gave for this listing (forged, or from another model's runs). */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

export interface RunPage {
  readonly runs: readonly Run[];
  /** Pass as `cursor` for the next (older) page. */
  readonly next?: string;
}

/** Where runs are kept. Every update is conditional on the run's status, so racing writers cannot undo each other. */
export interface RunStore {
  /** Creates the run unless one with its id exists; either way returns the stored run. */
  create(run: Run): Promise<Run>;
  get(runId: string): Promise<Run | undefined>;
  /** Newest first. */
  list(model: string, options?: { limit?: number; cursor?: string }): Promise<RunPage>;
  /**
   * Applies `patch` (a field given as undefined is removed) if the run is in one of the `from`
   * statuses; undefined when it is not, or does not exist.
   */
  update(runId: string, from: readonly RunStatus[], patch: Partial<Omit<Run, 'runId' | 'model' | 'createdAt'>>): Promise<Run | undefined>;
}
