import type { PredictionLogRecord } from '../logs/record.ts';
import type { TallyKey } from './tally.ts';

/** What one log batch served under one tally key: rows, requests, and the units they named. */
export interface ServedCount {
  readonly key: TallyKey;
  readonly rows: number;
  /** Requests whose first row is in the batch: each request is counted by the batch holding its row 0. */
  readonly requests: number;
  readonly unitlessRequests: number;
  /** The distinct (hashed) units of those requests; which are new to the tally is for the store to say. */
  readonly units: readonly string[];
}

/**
 * A batch's experiment records (see `isExperimentRecord`) counted per (endpoint, config version,
 * variant). Row ids are `<request id>/<row>` and request ids carry no `/`, so a request's rows,
 * wherever packing put them, have exactly one row 0.
 */
export function countServed(records: readonly PredictionLogRecord[]): ServedCount[] {
  const groups = new Map<string, { key: TallyKey; rows: number; requests: number; unitlessRequests: number; units: Set<string> }>();
  for (const record of records) {
    const { endpoint, configVersion, variant } = record;
    const id = `${endpoint}\u0000${configVersion}\u0000${variant}`;
    let group = groups.get(id);
    if (!group) {
      group = { key: { endpoint, configVersion, variant }, rows: 0, requests: 0, unitlessRequests: 0, units: new Set() };
      groups.set(id, group);
    }
    group.rows++;
    if (!record.id.endsWith('/0')) continue;
    group.requests++;
    if (record.unit === undefined) group.unitlessRequests++;
    else group.units.add(record.unit);
  }
  return [...groups.values()].map(({ units, ...counts }) => ({ ...counts, units: [...units] }));
}
