import { Hono } from 'hono';
import { z } from 'zod';
import type { EventStore } from '@flywheel/core';
import type { RequireScope } from '../auth.ts';
import { validate } from '../validation.ts';

const eventsQuery = z.object({
  type: z
    .string()
    .max(256)
    .regex(/^[a-z0-9]+(\.[a-z0-9_-]+)+$/, 'must be an event type such as dev.flywheel.retrain.completed')
    .optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** `GET /v1/events?type=&since=&limit=`: recent CloudEvents the system emitted, oldest first. */
export function eventRoutes(events: EventStore, requireScope: RequireScope) {
  return new Hono().get('/v1/events', requireScope('read'), async (c) => {
    const query = validate(eventsQuery, c.req.query());
    // Stored times are UTC ISO strings; compare `since` in the same form.
    const since = query.since === undefined ? undefined : new Date(query.since).toISOString();
    return c.json({ events: await events.list({ type: query.type, since, limit: query.limit }) });
  });
}
