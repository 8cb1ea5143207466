import type { Row } from '../drift/column-spec.ts';
import type { PredictionLogRecord, PredictionLogStatus } from './record.ts';
import type { RowAgreement } from './shadow-agreement.ts';

/** One row of a request: its inputs and, when it succeeded, its outputs. */
export interface PredictionRow {
  /** By feature name when the model declares features, else input name → the row's tensor slice. */
  readonly inputs: Row;
  /** Output name → the row's slice of that output. */
  readonly outputs?: Row;
  /** On a shadow's row: how its outputs compare with the primary's. */
  readonly agreement?: RowAgreement;
}

/** The endpoint's `logging` policy (see the endpoint config). */
export interface LoggingPolicyInput {
  /** Share of units (or of requests without a unit) logged, 0–100. */
  readonly percent: number;
  /** Input and output field names removed before a record leaves the process. */
  readonly redact: readonly string[];
}

/**
 * What the predict path hands over once per request, whatever its outcome. The sink samples,
 * redacts, hashes the unit and cuts records from it; nothing here leaves the process as given.
 */
export interface PredictionLogEntry {
  readonly requestId: string;
  /** When the request arrived (ISO 8601 UTC). */
  readonly time: string;
  readonly endpoint: string;
  readonly variant: string;
  readonly model: string;
  readonly version: number;
  readonly configVersion: number;
  /** The raw sticky unit, if the request named one; only its keyed hash is logged. */
  readonly unit?: string;
  /** Empty when the request failed before rows were known (one error record is logged then). */
  readonly rows: readonly PredictionRow[];
  readonly latencyMs: number;
  readonly status: PredictionLogStatus;
  readonly error?: string;
  /** Set when the split did not choose the variant (see the record's `chosen`). */
  readonly chosen?: PredictionLogRecord['chosen'];
  /** Set on a shadow's entry: the variant whose request it mirrors. */
  readonly shadowOf?: string;
  readonly logging: LoggingPolicyInput;
}

/**
 * Where the request path puts prediction logs. `log` returns at once and never throws: a logging
 * failure must never fail a prediction. Implementations buffer, batch, retry and spill, so a
 * record handed over is not lost. They may read the entry (its rows too) after `log` returns —
 * preparing records off the request path — so an entry must not change once handed over.
 */
export interface PredictionLogSink {
  log(entry: PredictionLogEntry): void;
  /** Resolves once everything handed over before the call has been sent (or spilled). */
  flush(): Promise<void>;
  /** Flushes and stops background timers; `log` after `close` is dropped with a warning. */
  close(): Promise<void>;
}
