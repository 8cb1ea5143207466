import { EVENT_TIME, type FeatureViewDefinition } from './view.ts';
import { isStorableNumber, STORABLE_NUMBER_RANGE } from '../limits/storable-number.ts';

/** A feature value as stored: numbers for numerical features, strings or numbers for categorical ones. */
export type FeatureValue = number | string | null;

/** One validated row of a view: the entity, when it was true, and every feature (null when not sent). */
export interface FeatureRow {
  entityId: string;
  /** Epoch milliseconds of `event_time`. */
  eventTimeMs: number;
  values: Record<string, FeatureValue>;
}

export interface RejectedRow {
  /** Position of the row in the request (0-based). */
  index: number;
  errors: string[];
}

const MAX_ENTITY_LENGTH = 256;
/**
 * How far after the server's clock a row's `event_time` may be: the clocks of the systems that
 * send rows drift a little. A row stamped later than this is refused (a feature row records what
 * was already true); one within it is the entity's current value at once (as-of.ts).
 */
export const EVENT_TIME_SKEW_MS = 5 * 60_000;
/** ISO 8601 with a date, a time and a zone, so a row means one instant wherever it is read. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An entity key as rows and predict records carry it: a non-empty string, or a number (as its decimal text). */
export function entityKey(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length >= 1 && value.length <= MAX_ENTITY_LENGTH ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Epoch ms of an ISO 8601 instant with a zone, or undefined. */
export function parseEventTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Splits rows into the valid ones, as stored, and the others with every reason: the entity key and
 * `event_time` are required (at most {@link EVENT_TIME_SKEW_MS} after `nowMs`), features are
 * optional (null when absent), a numerical feature is a finite number, a categorical one a string
 * or a number, and a field the view does not name is refused.
 */
export function validateFeatureRows(view: FeatureViewDefinition, rows: readonly unknown[], nowMs: number): { accepted: FeatureRow[]; rejected: RejectedRow[] } {
  const kinds = new Map(view.features.map((f) => [f.name, f.kind]));
  const accepted: FeatureRow[] = [];
  const rejected: RejectedRow[] = [];
  rows.forEach((row, index) => {
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      rejected.push({ index, errors: ['must be an object'] });
      return;
    }
    const fields = row as Record<string, unknown>;
    const errors: string[] = [];
    const entityId = entityKey(fields[view.entity]);
    if (entityId === undefined) errors.push(`${view.entity}: must be a string of 1 to ${MAX_ENTITY_LENGTH} characters or a number`);
    const eventTimeMs = parseEventTime(fields[EVENT_TIME]);
    if (eventTimeMs === undefined) errors.push(`${EVENT_TIME}: must be an ISO 8601 date-time with a zone, like 2026-01-31T12:00:00Z`);
    else if (eventTimeMs > nowMs + EVENT_TIME_SKEW_MS) {
      errors.push(
        `${EVENT_TIME}: ${new Date(eventTimeMs).toISOString()} is in the future (the server's clock reads ${new Date(nowMs).toISOString()}; rows may be at most ${EVENT_TIME_SKEW_MS / 60_000} minutes ahead of it)`,
      );
    }
    const values: Record<string, FeatureValue> = {};
    for (const [name, kind] of kinds) {
      const value = fields[name];
      if (value === undefined || value === null) values[name] = null;
      else if (typeof value === 'number' && Number.isFinite(value) && !isStorableNumber(value))
        errors.push(`${name}: ${preview(value)} is out of range (the stores take ${STORABLE_NUMBER_RANGE})`);
      else if (kind === 'numerical' && typeof value === 'number' && Number.isFinite(value)) values[name] = value;
      else if (kind === 'categorical' && (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))) values[name] = value;
      else errors.push(`${name}: ${kind === 'numerical' ? 'must be a finite number' : 'must be a string or a number'}, got ${preview(value)}`);
    }
    for (const name of Object.keys(fields)) {
      if (name !== view.entity && name !== EVENT_TIME && !kinds.has(name)) errors.push(`${name}: the view has no such feature`);
    }
    if (errors.length) rejected.push({ index, errors });
    else accepted.push({ entityId: entityId!, eventTimeMs: eventTimeMs!, values });
  });
  return { accepted, rejected };
}

/**
 * The newest row of each entity (the later-sent one of two at the same time): what the online
 * store keeps, so a batch writes each entity once.
 */
export function latestPerEntity(rows: readonly FeatureRow[]): FeatureRow[] {
  const latest = new Map<string, FeatureRow>();
  for (const row of rows) {
    const known = latest.get(row.entityId);
    if (!known || row.eventTimeMs >= known.eventTimeMs) latest.set(row.entityId, row);
  }
  return [...latest.values()];
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
