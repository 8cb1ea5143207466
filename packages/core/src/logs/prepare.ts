import type { Row } from '../drift/column-spec.ts';
import type { PredictionLogEntry } from './entry.ts';
import { MAX_ERROR_LENGTH, type PredictionLogRecord } from './record.ts';
import { isLogged } from './sampling.ts';
import { truncateValue } from './truncation.ts';

/** Turns a unit into its keyed hash; the sink owns the key. */
export type UnitHasher = (unit: string) => string;

/**
 * The row as logged: the redacted fields left out (and added to `removed`), the others truncated.
 * A row with nothing to leave out or cut — the usual one — is logged as it is, without a copy.
 */
function loggedRow(row: Row, redact: ReadonlySet<string> | undefined, removed: string[]): Record<string, unknown> {
  if (loggedAsIs(row, redact)) return row;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    if (redact?.has(key)) removed.push(key);
    else out[key] = truncateValue(row[key]);
  }
  return out;
}

function loggedAsIs(row: Row, redact: ReadonlySet<string> | undefined): boolean {
  for (const key in row) if (redact?.has(key) || truncateValue(row[key]) !== row[key]) return false;
  return true;
}

/**
 * The records one request leaves behind: none when the endpoint's sampling skips it, else one
 * per row (one for a request that failed before it had rows), with configured fields redacted,
 * tensor slices truncated and the unit replaced by its keyed hash.
 */
export function preparePredictionLogRecords(entry: PredictionLogEntry, hashUnit: UnitHasher): PredictionLogRecord[] {
  if (!isLogged(entry.endpoint, entry.logging.percent, entry.unit ?? entry.requestId)) return [];
  const redact = entry.logging.redact.length > 0 ? new Set(entry.logging.redact) : undefined;
  const unit = entry.unit === undefined ? undefined : hashUnit(entry.unit);
  const error = entry.error === undefined ? undefined : entry.error.slice(0, MAX_ERROR_LENGTH);
  const rows = entry.rows.length > 0 ? entry.rows : [{ inputs: {} }];
  return rows.map((row, index) => {
    const removed: string[] = [];
    const record: PredictionLogRecord = {
      id: `${entry.requestId}/${index}`,
      time: entry.time,
      endpoint: entry.endpoint,
      variant: entry.variant,
      model: entry.model,
      version: entry.version,
      configVersion: entry.configVersion,
      inputs: loggedRow(row.inputs, redact, removed),
      latencyMs: entry.latencyMs,
      status: entry.status,
    };
    if (row.outputs !== undefined) record.outputs = loggedRow(row.outputs, redact, removed);
    if (unit !== undefined) record.unit = unit;
    if (error !== undefined) record.error = error;
    if (entry.shadowOf !== undefined) record.shadowOf = entry.shadowOf;
    if (entry.chosen !== undefined) record.chosen = entry.chosen;
    if (row.agreement !== undefined) record.agreement = row.agreement;
    if (removed.length > 0) record.redacted = removed;
    return record;
  });
}
