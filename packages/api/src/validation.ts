import type { Context } from 'hono';
import type { z } from 'zod';
import { Problem, type ProblemFieldError } from './problem.ts';

/**
 * Reads a JSON body and validates it; malformed JSON and schema violations are 400s with field
 * paths. `accepts`, for a hot route, says yes without the schema to bodies the schema would return
 * unchanged (and only to those); on no, the schema runs and gives the reason.
 */
export function readJson<S extends z.ZodType>(c: Context, schema: S, accepts?: (value: unknown) => value is z.infer<S>): Promise<z.infer<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.includes('json')) return Promise.reject(new Problem(415, 'Send the body as application/json.'));
  return c.req.json().then(
    (body: unknown) => (accepts?.(body) ? body : validate(schema, body)),
    () => {
      throw new Problem(400, 'The body is not valid JSON.');
    },
  );
}

/** `readJson` for a body that may be left out: no body at all reads as `{}`. */
export function readOptionalJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const bodyless = (c.req.header('content-length') ?? '0') === '0' && c.req.header('transfer-encoding') === undefined;
  return bodyless ? Promise.resolve(validate(schema, {})) : readJson(c, schema);
}

export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new Problem(400, 'The request does not match the expected schema.', { errors: fieldErrors(result.error) });
  }
  return result.data;
}

/** The most a configuration body (endpoint config, alias, rollback, key) may be: configs are small. */
export const MAX_CONFIG_BODY_BYTES = 256 * 1024;

/** A body can break the schema once per element; a client needs the first few to fix it, not a million. */
export const MAX_REPORTED_FIELD_ERRORS = 20;

export function fieldErrors(error: z.ZodError): ProblemFieldError[] {
  const shown = error.issues.slice(0, MAX_REPORTED_FIELD_ERRORS).map((issue) => ({ path: issue.path.join('/') || '/', message: issue.message.slice(0, 300) }));
  const more = error.issues.length - shown.length;
  return more > 0 ? [...shown, { path: '/', message: `…and ${more} more problems of this request` }] : shown;
}
