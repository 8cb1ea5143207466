import { z } from 'zod';
import { RowAgreementSchema, isRowAgreement } from './shadow-agreement.ts';

const name = z.string().min(1).max(256);

/** Longest error message a record carries; longer ones are cut (the log is not an error tracker). */
export const MAX_ERROR_LENGTH = 1000;

/**
 * One predicted row as it leaves the request path: what the monitor counts, the archive keeps
 * for retraining, and feedback joins to (by `id`). Compact on purpose: every byte is paid per row.
 */
export const PredictionLogRecordSchema = z.object({
  /** `<request id>/<row>`, row 0-based: the id feedback names. */
  id: z.string().min(3).max(512),
  /** When the request arrived, ISO 8601 in UTC (`…Z`): windows are cut by it. */
  time: z.iso.datetime(),
  endpoint: name,
  /** The variant that served the row, or the shadow's name for a shadow row. */
  variant: name,
  model: name,
  version: z.int().min(1),
  configVersion: z.int().min(1),
  /**
   * By feature name when the model declares features; otherwise the row's slice of each input
   * tensor, truncated. Redacted fields are absent.
   */
  inputs: z.record(z.string(), z.unknown()),
  /** The row's slice of each output tensor; absent when the request failed. */
  outputs: z.record(z.string(), z.unknown()).optional(),
  /** Latency of the whole request. */
  latencyMs: z.number().min(0).max(3_600_000),
  /** Keyed hash of the sticky unit (never the unit itself). */
  unit: z.string().max(64).optional(),
  status: z.enum(['ok', 'error']),
  error: z.string().max(MAX_ERROR_LENGTH).optional(),
  /** On a shadow row: the variant whose request was mirrored. */
  shadowOf: name.optional(),
  /** On a successful shadow row: how its outputs compare with the primary's. */
  agreement: RowAgreementSchema.optional(),
  /** Field names removed by the endpoint's redaction policy (absent when none were). */
  redacted: z.array(z.string()).optional(),
  /**
   * How the variant was chosen when the endpoint's split did not choose it: `forced` by a
   * `deploy` caller's Flywheel-Variant header, `pinned` by a version in the request's path, `batch`
   * by a batch prediction job's fixed version. Such rows are not a random sample of the split, so
   * experiments leave them out.
   */
  chosen: z.enum(['forced', 'pinned', 'batch']).optional(),
  /** True when inputs and outputs were dropped because the row was too large to log. */
  truncated: z.literal(true).optional(),
});
export type PredictionLogRecord = z.infer<typeof PredictionLogRecordSchema>;
export type PredictionLogStatus = PredictionLogRecord['status'];

// The same pattern `z.iso.datetime()` checks with.
const ISO_UTC_TIME = z.core.regexes.datetime({});
const RECORD_KEYS = new Set(Object.keys(PredictionLogRecordSchema.shape));

const isName = (v: unknown) => typeof v === 'string' && v.length >= 1 && v.length <= 256;
const isPlainObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1;

/**
 * True when `value` is a valid record that {@link PredictionLogRecordSchema} would return
 * unchanged. The monitor's hot path: a few hundred nanoseconds where the schema takes tens of
 * microseconds. It only ever says yes to what the schema accepts (a property test holds it to
 * that); on no, run the schema for the reason.
 */
export function isPredictionLogRecord(value: unknown): value is PredictionLogRecord {
  if (!isPlainObject(value)) return false;
  const r = value as Record<string, unknown>;
  for (const key in r) if (!RECORD_KEYS.has(key)) return false;
  return (
    typeof r.id === 'string' &&
    r.id.length >= 3 &&
    r.id.length <= 512 &&
    typeof r.time === 'string' &&
    ISO_UTC_TIME.test(r.time) &&
    isName(r.endpoint) &&
    isName(r.variant) &&
    isName(r.model) &&
    isCount(r.version) &&
    isCount(r.configVersion) &&
    isPlainObject(r.inputs) &&
    (r.outputs === undefined || isPlainObject(r.outputs)) &&
    typeof r.latencyMs === 'number' &&
    r.latencyMs >= 0 &&
    r.latencyMs <= 3_600_000 &&
    (r.unit === undefined || (typeof r.unit === 'string' && r.unit.length <= 64)) &&
    (r.status === 'ok' || r.status === 'error') &&
    (r.error === undefined || (typeof r.error === 'string' && r.error.length <= MAX_ERROR_LENGTH)) &&
    (r.shadowOf === undefined || isName(r.shadowOf)) &&
    (r.agreement === undefined || isRowAgreement(r.agreement)) &&
    (r.chosen === undefined || r.chosen === 'forced' || r.chosen === 'pinned' || r.chosen === 'batch') &&
    (r.redacted === undefined || (Array.isArray(r.redacted) && r.redacted.every((name) => typeof name === 'string'))) &&
    (r.truncated === undefined || r.truncated === true)
  );
}
