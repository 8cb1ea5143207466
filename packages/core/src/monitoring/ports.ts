import type { DriftScores } from './drift-scores.ts';
import type { PerformanceScores } from './performance-scores.ts';
import type { SeriesScores } from './series-scores.ts';
import type { WindowKey } from './window-key.ts';
import type { WindowState } from './window-state.ts';

/** A window as stored, with what makes merging into it idempotent and safe under concurrency. */
export interface StoredWindow {
  readonly key: WindowKey;
  readonly state: WindowState;
  /** Batches merged into the state whose ledger entry is not complete yet. */
  readonly applied: ReadonlySet<string>;
  /** Bumped by every write; writes are conditional on it. */
  readonly revision: number;
}

/**
 * Which windows of an endpoint: the hour windows of the traffic served (the default), of its
 * shadows, or the minute windows of the traffic served (what the judge looks at).
 */
export type WindowSeries = 'variants' | 'shadows' | 'minutes';

/** Window state storage (the monitoring table). */
export interface WindowStore {
  get(key: WindowKey): Promise<StoredWindow | undefined>;
  /**
   * Stores the state and applied set if the stored revision is still `expectedRevision` (0: the
   * window does not exist yet). False when another writer got there first.
   */
  put(key: WindowKey, state: WindowState, applied: readonly string[], expectedRevision: number): Promise<boolean>;
  /** Drops batch ids from a window's applied set once their batches are complete. */
  forget(key: WindowKey, batchIds: readonly string[]): Promise<void>;
  /** Windows of the endpoint starting in [from, to), oldest first: its variants', or its shadows'. */
  list(endpoint: string, from: string, to: string, series?: WindowSeries): Promise<StoredWindow[]>;
}

export type ClaimResult =
  | { readonly status: 'claimed' }
  /** Fully processed before; `windows` are where its id may still sit in an applied set. */
  | { readonly status: 'done'; readonly windows: readonly WindowKey[] }
  /** Another consumer holds it right now. */
  | { readonly status: 'busy' };

/**
 * Per-batch processing records (the monitoring table, with TTL). A claim is a lease, so a
 * consumer that dies mid-batch does not block the batch for longer than its lease.
 */
export interface BatchLedger {
  claim(batchId: string, owner: string, leaseUntil: number): Promise<ClaimResult>;
  complete(batchId: string, owner: string, windows: readonly WindowKey[]): Promise<void>;
  /** Gives a claim back early (after a failure) so the redelivery need not wait for the lease. */
  release(batchId: string, owner: string): Promise<void>;
}

/**
 * Where raw records are archived for retraining (S3 `logs/`), as NDJSON lines the store encodes
 * into one object (the S3 adapter's `encodeArchive`). Writing a key again replaces it.
 */
export interface LogArchive {
  put(key: string, lines: readonly string[]): Promise<void>;
}

/** The prediction-log queue's dead-letter queue. */
export interface DeadLetterQueue {
  send(body: string, reason: string, source: { messageId: string; batchId?: string }): Promise<void>;
}

/** The latest scores per endpoint variant and model version, for `/metrics`. */
export interface LatestScoresStore<Scores extends SeriesScores> {
  /** Keeps `scores` unless newer ones of the same series are kept. */
  put(scores: Scores): Promise<void>;
  list(): Promise<Scores[]>;
}

/** Latest drift evaluation per window series. */
export type DriftScoreStore = LatestScoresStore<DriftScores>;

/** Latest performance per endpoint variant and model version (the monitoring table). */
export type PerformanceScoreStore = LatestScoresStore<PerformanceScores>;
