import type { Context } from 'hono';
import { z } from 'zod';
import { invalidParameter, viewTypes, type ViewType } from '@flywheel/core';

/**
 * An MLflow request's parameters: the JSON body of a POST, the query string of a GET (as
 * MLflow's clients send them). Proto3 JSON writes int64 as strings, so integer fields take both.
 */
export async function readParams<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  if (c.req.method === 'GET') {
    const query = c.req.queries();
    // A repeated field arrives as a repeated query parameter; a scalar as one.
    raw = Object.fromEntries(Object.entries(query).map(([key, values]) => [key, ARRAY_FIELDS.has(key) ? values : values[values.length - 1]]));
  } else {
    const text = await c.req.text();
    if (text.trim() === '') raw = {};
    else {
      try {
        raw = JSON.parse(text);
      } catch {
        throw invalidParameter('The request body is not valid JSON.');
      }
    }
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.join('.') || 'body';
    throw invalidParameter(
      issue.code === 'invalid_type' && issue.input === undefined ? `Missing value for required parameter '${field}'.` : `Invalid value for parameter '${field}': ${issue.message}.`,
    );
  }
  return result.data;
}

const ARRAY_FIELDS = new Set(['experiment_ids', 'order_by']);

/** An int64 as a JSON number or a string of digits. */
export const int64 = z
  .union([
    z.number().int(),
    z
      .string()
      .regex(/^-?\d+$/)
      .transform(Number),
  ])
  .refine(Number.isSafeInteger, 'must be a safe integer');

/** A required id or name: a non-empty string. */
export const requiredString = z.string().min(1);

export const keyValueList = z
  .array(z.object({ key: z.string(), value: z.string().optional().default('') }))
  .optional()
  .default([]);

/** MLflow's ViewType, by name or by its proto number. */
export const viewType = z
  .union([z.enum(viewTypes), z.union([z.literal(1), z.literal(2), z.literal(3), z.enum(['1', '2', '3'])]).transform((n) => viewTypes[Number(n) - 1]!)])
  .optional() as z.ZodType<ViewType | undefined>;

export const maxResults = (fallback: number, max: number) =>
  int64
    .optional()
    .transform((n) => n ?? fallback)
    .refine((n) => n >= 1 && n <= max, `must be between 1 and ${max}`);

/** `run_id`, or the deprecated `run_uuid` older clients send. */
export function runIdOf(params: { run_id?: string; run_uuid?: string }): string {
  const runId = params.run_id || params.run_uuid;
  if (!runId) throw invalidParameter("Missing value for required parameter 'run_id'.");
  return runId;
}

export const runIdFields = { run_id: z.string().optional(), run_uuid: z.string().optional() };

export function tagsRecord(tags: ReadonlyArray<{ key: string; value: string }>): Record<string, string> {
  return Object.fromEntries(tags.map(({ key, value }) => [key, value]));
}
