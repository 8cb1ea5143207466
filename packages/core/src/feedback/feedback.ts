import { z } from 'zod';
import type { FieldIssue } from '../registry/metadata.ts';
import { isStorableNumber, STORABLE_NUMBER_RANGE } from '../limits/storable-number.ts';

/**
 * Feedback (API.md, "Predictions"): ground truth or a business outcome for an earlier prediction.
 * An item names one row (`<request id>/<row>`) with one value per field, or a whole request (its
 * `id`) with one value per row in arrays; a request id with plain values names its row 0, the only
 * row of the usual one-row prediction.
 */

/** Items one request may carry. */
export const MAX_FEEDBACK_ITEMS = 1000;
/** Rows one request may give feedback for, arrays expanded: each is a few writes. */
export const MAX_FEEDBACK_ROWS = 1000;

// Request ids are what predict accepts (they end up in log ids as `<id>/<row>`, so carry no `/`).
const REQUEST_ID = /^[\x21-\x2e\x30-\x7e]{1,200}$/;
const ROW_ID = /^([\x21-\x2e\x30-\x7e]{1,200})\/(0|[1-9]\d{0,8})$/;

export type LabelValue = string | number | boolean;
export type OutcomeValue = number | boolean;

const storableNumber = z.number().refine(isStorableNumber, { message: `must be ${STORABLE_NUMBER_RANGE}` });
const label = z.union([z.string().min(1).max(256), storableNumber, z.boolean()]);
const value = storableNumber;
const outcome = z.union([storableNumber, z.boolean()]);
const perRow = <T extends z.ZodType>(item: T) => z.union([item, z.array(item.nullable()).min(1).max(MAX_FEEDBACK_ROWS)]);

const FIELDS = ['label', 'value', 'outcome'] as const;
type Field = (typeof FIELDS)[number];

export const feedbackItemSchema = z
  .strictObject({
    id: z.string().min(1).max(220),
    /** Ground truth of a classification (a class) or, if numeric, of a regression. */
    label: perRow(label).optional(),
    /** Ground truth of a regression. */
    value: perRow(value).optional(),
    /** The business outcome an experiment compares: a conversion (boolean or 0/1) or an amount. */
    outcome: perRow(outcome).optional(),
  })
  .superRefine((item, ctx) => {
    const given = FIELDS.filter((field) => item[field] !== undefined);
    if (given.length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'give at least one of label, value or outcome' });
    const target = parseFeedbackId(item.id);
    if (!target) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'must be a prediction id, or a row of one as <id>/<row>' });
      return;
    }
    const arrays = given.filter((field) => Array.isArray(item[field]));
    if (target.row !== undefined) {
      for (const field of arrays) ctx.addIssue({ code: 'custom', path: [field], message: 'a row id takes one value; name the prediction id to give one per row' });
      return;
    }
    if (arrays.length === 0) return;
    const length = (item[arrays[0]] as unknown[]).length;
    for (const field of given) {
      if (!Array.isArray(item[field])) ctx.addIssue({ code: 'custom', path: [field], message: `must be an array like ${arrays[0]}, one value per row` });
      else if ((item[field] as unknown[]).length !== length)
        ctx.addIssue({ code: 'custom', path: [field], message: `has ${(item[field] as unknown[]).length} values; ${arrays[0]} has ${length}: give one per row of the prediction` });
    }
  });

export type FeedbackItem = z.output<typeof feedbackItemSchema>;

/** Feedback for one predicted row. */
export interface FeedbackRow {
  readonly requestId: string;
  readonly row: number;
  readonly label?: LabelValue;
  readonly value?: number;
  readonly outcome?: OutcomeValue;
}

export type ParsedFeedback =
  | { readonly ok: true; readonly items: number; readonly rows: FeedbackRow[] }
  | { readonly ok: false; readonly reason: 'invalid'; readonly errors: FieldIssue[] }
  | { readonly ok: false; readonly reason: 'too-many'; readonly detail: string };

/**
 * Reads a feedback body: one item, or `{feedback: [items]}`. Every item is checked before any is
 * taken, so a bad item refuses the whole body; items for the same row merge, later fields winning.
 */
export function parseFeedback(body: unknown): ParsedFeedback {
  const batch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'feedback' in body;
  if (batch) {
    const { feedback, ...rest } = body as { feedback: unknown };
    const extra = Object.keys(rest).map((key) => ({ path: key, message: 'unknown field' }));
    if (!Array.isArray(feedback)) return { ok: false, reason: 'invalid', errors: [{ path: 'feedback', message: 'must be an array of feedback items' }, ...extra] };
    if (extra.length) return { ok: false, reason: 'invalid', errors: extra };
    if (feedback.length > MAX_FEEDBACK_ITEMS)
      return { ok: false, reason: 'too-many', detail: `A request may carry at most ${MAX_FEEDBACK_ITEMS} feedback items; this one has ${feedback.length}. Split it.` };
    if (feedback.length === 0) return { ok: false, reason: 'invalid', errors: [{ path: 'feedback', message: 'must hold at least one item' }] };
  }
  const items = batch ? (body as { feedback: unknown[] }).feedback : [body];
  const errors: FieldIssue[] = [];
  const parsed: FeedbackItem[] = [];
  items.forEach((item, i) => {
    const result = feedbackItemSchema.safeParse(item);
    if (result.success) parsed.push(result.data);
    else for (const issue of result.error.issues) errors.push({ path: [...(batch ? ['feedback', i] : []), ...issue.path].join('/') || '/', message: issue.message });
  });
  if (errors.length) return { ok: false, reason: 'invalid', errors };
  const rows = feedbackRows(parsed);
  if (rows.length > MAX_FEEDBACK_ROWS)
    return { ok: false, reason: 'too-many', detail: `A request may give feedback for at most ${MAX_FEEDBACK_ROWS} rows; this one names ${rows.length}. Split it.` };
  return { ok: true, items: parsed.length, rows };
}

/** The rows valid items give feedback for; a null in an array gives none for that row. */
export function feedbackRows(items: readonly FeedbackItem[]): FeedbackRow[] {
  const rows = new Map<string, FeedbackRow>();
  const put = (requestId: string, row: number, fields: Partial<Record<Field, unknown>>) => {
    const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null));
    if (Object.keys(given).length === 0) return;
    const key = predictionRowId(requestId, row);
    rows.set(key, { ...rows.get(key), requestId, row, ...given });
  };
  for (const item of items) {
    const target = parseFeedbackId(item.id)!;
    const arrays = FIELDS.filter((field) => Array.isArray(item[field]));
    if (target.row !== undefined || arrays.length === 0) {
      put(target.requestId, target.row ?? 0, { label: item.label, value: item.value, outcome: item.outcome });
      continue;
    }
    const length = (item[arrays[0]] as unknown[]).length;
    const at = (field: Field, row: number) => (item[field] as unknown[] | undefined)?.[row];
    for (let row = 0; row < length; row++) put(target.requestId, row, { label: at('label', row), value: at('value', row), outcome: at('outcome', row) });
  }
  return [...rows.values()];
}

/** A prediction id (`row` undefined) or a row id `<id>/<row>`; undefined when it is neither. */
export function parseFeedbackId(id: string): { requestId: string; row?: number } | undefined {
  const row = ROW_ID.exec(id);
  if (row) return { requestId: row[1], row: Number(row[2]) };
  return REQUEST_ID.test(id) ? { requestId: id } : undefined;
}

/** `<request id>/<row>`: the id of a logged prediction row, and what feedback joins on. */
export function predictionRowId(requestId: string, row: number): string {
  return `${requestId}/${row}`;
}
