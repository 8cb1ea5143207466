import type { Erasure, ErasedRow, ErasurePhase, ErasureProgress, ErasureStatus } from './erasure.ts';

/** A step of an erasure about to change data, recorded first so a crash mid-step neither loses nor doubles its counts. */
export interface PendingStep {
  readonly phase: ErasurePhase;
  /** The archive key or dataset run id the step works on. */
  readonly key: string;
  readonly add: Partial<ErasureProgress>;
}

export interface ErasureAdvance {
  readonly phase: ErasurePhase;
  readonly cursor?: string;
  readonly add?: Partial<ErasureProgress>;
  readonly archiveObject?: string;
  readonly dataset?: string;
  readonly at: string;
}

/** Erasures and their progress (the state that makes them resumable). */
export interface ErasureStore {
  /**
   * Stores a new erasure unless one with the same subject key is still queued or running; then
   * answers that one (`created: false`).
   */
  start(erasure: Erasure, subjectKey: string): Promise<{ erasure: Erasure; created: boolean }>;
  get(erasureId: string): Promise<(Erasure & { pending?: PendingStep }) | undefined>;
  /** Takes the worker lease until `untilMs`; false while another worker holds it. */
  lease(erasureId: string, token: string, untilMs: number, nowMs: number): Promise<boolean>;
  release(erasureId: string, token: string): Promise<void>;
  /** Records the step about to run (under the lease). */
  prepare(erasureId: string, token: string, step: PendingStep, at: string): Promise<void>;
  /** Records a finished step: counts added, cursor and phase moved, the pending step cleared (under the lease). */
  advance(erasureId: string, token: string, advance: ErasureAdvance): Promise<void>;
  /** A failed attempt, shown on the erasure while it is retried. */
  recordError(erasureId: string, error: string, at: string): Promise<void>;
  /** The final status; clears the subject's active claim so a later request starts afresh. */
  finish(erasureId: string, token: string, status: Extract<ErasureStatus, 'succeeded' | 'failed'>, at: string, error?: string): Promise<void>;
  /** The subject's rows found so far (for the datasets phase, which runs after the archive is done). */
  addRows(erasureId: string, rows: readonly ErasedRow[]): Promise<void>;
  rows(erasureId: string): Promise<ErasedRow[]>;
}

/** Unit hashes erased: later datasets leave their rows out. */
export interface ErasedSubjects {
  add(unitHash: string, erasureId: string, at: string): Promise<void>;
  units(): Promise<ReadonlySet<string>>;
}

/** The prediction-log archive as lines of NDJSON objects. */
export interface ErasureArchive {
  /** Every archive object's key, in key order, after `after`. */
  keys(after?: string): AsyncIterable<string>;
  lines(key: string): Promise<string[]>;
  /** Replaces the object with these lines, whole (never half-written). */
  replace(key: string, lines: readonly string[]): Promise<void>;
}

/** The feedback join's items for logged rows. */
export interface ErasureJoinItems {
  /** How many feedback and prediction items exist for the rows. */
  existing(rows: readonly ErasedRow[]): Promise<{ feedback: number; predictions: number }>;
  delete(rows: readonly ErasedRow[]): Promise<void>;
}

/** Where the experiment tally remembers which units it has counted, per endpoint. */
export interface ErasureUnitClaims {
  /** Deletes the unit's claims on these endpoints; how many there were. */
  delete(endpoints: readonly string[], unitHash: string): Promise<number>;
}

/** Says on a dataset that rows were removed from it, and by which erasure. */
export interface ErasureMarker {
  readonly erasureId: string;
  readonly rows: number;
  readonly at: string;
}

export interface ErasureDatasets {
  /** Every stored dataset's id (its bytes' sha256), in order, after `after`. */
  datasetIds(after?: string): AsyncIterable<string>;
  /** The dataset's canonical lines, undefined when it has none. */
  lines(datasetId: string): Promise<string[] | undefined>;
  /** Replaces the dataset's lines and marks the dataset versions they are. */
  replace(datasetId: string, lines: readonly string[], marker: ErasureMarker): Promise<void>;
}

/** The feature store's erasure of one entity (provided by the feature store; optional). */
export interface FeatureEraser {
  /** Whether the view exists: an erasure of an entity of another is refused before it starts. */
  hasView(view: string): Promise<boolean>;
  eraseEntity(view: string, id: string): Promise<{ onlineItemsDeleted: number; offlineFilesRewritten: number }>;
}

/** An erasure waiting for its worker. */
export interface ErasureQueue {
  enqueue(erasureId: string): Promise<void>;
}
