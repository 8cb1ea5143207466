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
