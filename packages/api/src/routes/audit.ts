import { Hono } from 'hono';
import { z } from 'zod';
import { AUDIT_CURSOR, MAX_AUDIT_PAGE, type AuditLog } from '@flywheel/core';
import { validate } from '../validation.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { ok, problems } from './openapi.ts';

export const auditQuerySchema = z.strictObject({
  resource: z
    .string()
    .regex(/^(endpoint|model):[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be endpoint:<name> or model:<name>')
    .optional(),
  actor: z
    .string()
    .regex(/^(?:[a-z0-9]{12}|k[0-9a-f]{11})$/, 'must be an API key id')
    .optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(100),
  cursor: z.string().regex(AUDIT_CURSOR, 'must be the `next` of an earlier page').optional(),
});

/** `GET /v1/audit?resource=&actor=&since=&limit=&cursor=` (scope admin): who changed what, newest first. */
export function auditRoutes(log: AuditLog, guards: RouteGuards) {
  return declareRoutes(new Hono(), guards).route(
    {
      method: 'get',
      path: '/v1/audit',
      scope: 'admin',
      tags: ['audit'],
      summary: 'Who changed what: every mutating control-plane request, newest first (no bodies, no secrets)',
      request: { query: auditQuerySchema },
      responses: {
        200: ok(
          'A page of audit records; `next` is the cursor of the following page',
          z.object({
            records: z.array(
              z.object({
                id: z.string(),
                at: z.string(),
                actor: z.object({ keyId: z.string(), keyName: z.string() }),
                method: z.string(),
                path: z.string(),
                resource: z.string().optional(),
                status: z.int(),
                result: z.enum(['ok', 'refused', 'failed']),
                before: z.string().optional(),
                after: z.string().optional(),
              }),
            ),
            next: z.string().optional(),
          }),
        ),
        ...problems(400),
      },
    },
    async (c) => {
      const query = validate(auditQuerySchema, c.req.query());
      // Stored times are UTC ISO strings; compare `since` in the same form.
      const since = query.since === undefined ? undefined : new Date(query.since).toISOString();
      const page = await log.query({ ...query, since });
      return c.json({ records: page.records, ...(page.next ? { next: page.next } : {}) });
    },
  ).app;
}
