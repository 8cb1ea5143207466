import { z } from 'zod';
import type { Row } from '../drift/column-spec.ts';
import type { Task } from '../registry/metadata.ts';

/**
 * How one row of a shadow's outputs compares with the primary's, computed where both are in
 * memory (the request path, after the response) and logged on the shadow's record: a join by
 * id in the monitor would see only truncated outputs and would have to hold one side until the
 * other arrives.
 */
export const RowAgreementSchema = z.strictObject({
  /** Whether both predict the same class; absent when the outputs are not a classification. */
  argmax: z.boolean().optional(),
  /** Mean |shadow − primary| over the numeric output values both have; absent when none match. */
  absDiff: z.number().min(0).optional(),
});
export type RowAgreement = z.infer<typeof RowAgreementSchema>;

/** The same check as the schema, without it: the monitor's hot path (see `isPredictionLogRecord`). */
export function isRowAgreement(value: unknown): value is RowAgreement {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const r = value as Record<string, unknown>;
  for (const key in r) if (key !== 'argmax' && key !== 'absDiff') return false;
  return (r.argmax === undefined || typeof r.argmax === 'boolean') && (r.absDiff === undefined || (typeof r.absDiff === 'number' && Number.isFinite(r.absDiff) && r.absDiff >= 0));
}

/**
 * Compares a shadow's row outputs with the primary's. The class is read from the task's output
 * when the primary declares a classification task, else from the first output that holds
 * scores (a numeric vector, or a map of class → score): its argmax. Values are compared where
 * both rows have them at the same place (same output, same index or key).
 */
export function compareRowOutputs(primary: Row, shadow: Row, task?: Pick<Task, 'type' | 'output'>): RowAgreement {
  const difference = { sum: 0, count: 0 };
  for (const name of Object.keys(primary)) if (name in shadow) addDifferences(primary[name], shadow[name], difference);
  const agreement: { argmax?: boolean; absDiff?: number } = {};
  const classified = task && task.type !== 'regression' ? task : undefined;
  const output = classified ? classified.output : Object.keys(primary).find((name) => scoresOf(primary[name]) !== undefined);
  if (output !== undefined && output in shadow) {
    const a = classOf(primary[output], classified?.type);
    const b = classOf(shadow[output], classified?.type);
    if (a !== undefined && b !== undefined) agreement.argmax = a === b;
  }
  if (difference.count > 0) agreement.absDiff = difference.sum / difference.count;
  return agreement;
}

function addDifferences(a: unknown, b: unknown, into: { sum: number; count: number }): void {
  if (typeof a === 'number' && typeof b === 'number') {
    const d = Math.abs(a - b);
    if (Number.isFinite(d)) {
      into.sum += d;
      into.count++;
    }
  } else if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length === b.length) for (let i = 0; i < a.length; i++) addDifferences(a[i], b[i], into);
  } else if (isPlainObject(a) && isPlainObject(b)) {
    for (const key of Object.keys(a)) if (key in b) addDifferences(a[key], b[key], into);
  }
}

/** Scores by class position or name: a numeric vector of ≥ 2 values (nesting flattened) or a map of numbers. */
function scoresOf(value: unknown): [string, number][] | undefined {
  const entries: [string, unknown][] = Array.isArray(value) ? value.flat(Infinity).map((v, i) => [String(i), v]) : isPlainObject(value) ? Object.entries(value) : [];
  if (entries.length < 2 || !entries.every(([, v]) => typeof v === 'number')) return undefined;
  return entries as [string, number][];
}

/**
 * The predicted class of one row of an output: the argmax of scores; for a declared
 * classification output holding one value, that value (a label), or for a binary task a number
 * thresholded at 0.5 (a probability; labels 0 and 1 map to themselves).
 */
function classOf(value: unknown, task: Task['type'] | undefined): string | undefined {
  const scores = scoresOf(value);
  if (scores) return scores.reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
  if (task === undefined) return undefined;
  const single = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (task === 'binary-classification' && typeof single === 'number') return single >= 0.5 ? '1' : '0';
  return typeof single === 'string' || typeof single === 'number' || typeof single === 'boolean' ? String(single) : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
