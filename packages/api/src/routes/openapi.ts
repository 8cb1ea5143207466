// Building blocks of route declarations' request and response schemas.
import { z } from 'zod';

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
export const ok = (description: string, schema: z.ZodType) => ({ description, ...json(schema) });
/** The problem+json answers a route gives, by status. */
export const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, { description: 'application/problem+json', content: { 'application/problem+json': { schema: problemSchema } } }]));
export const params = <T extends Record<string, z.ZodType>>(shape: T) => z.object(shape);
/** A version number in a path or query, as positiveInt reads it. */
export const positiveIntSchema = z.coerce.number().int().min(1);
/** The ETag a versioned resource answers with, for If-Match. */
export const etagHeader = { ETag: { description: 'The config version, for If-Match', schema: { type: 'string' as const } } };

/** A tensor element as JSON: a number (null where a float is NaN or infinite), a string (64-bit integers past 2^53, strings) or a boolean. */
export const tensorElementSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);
type TensorValue = z.output<typeof tensorElementSchema> | TensorValue[];
/** A tensor as row-major nested arrays of its elements (a rank-0 tensor is its one element). Named: it refers to itself. */
export const tensorValueSchema: z.ZodType<TensorValue> = z.lazy(() => z.union([tensorElementSchema, z.array(tensorValueSchema)])).meta({ id: 'TensorValue' });
/** A feature's value in a record or a feature view's row. */
export const featureValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
