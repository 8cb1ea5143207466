import { Hono } from 'hono';
import { z } from 'zod';
import { cloudEventEnvelopeSchema, eventCatalogue, eventTypes, type EventStore } from '@flywheel/core';
import { validate } from '../validation.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { ok, problems } from './openapi.ts';

const eventsQuery = z.object({
  type: z
    .string()
    .max(256)
    .regex(/^[a-z0-9]+(\.[a-z0-9_-]+)+$/, 'must be an event type such as dev.flywheel.retrain.completed')
    .optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** A CloudEvent of each type the system emits, with that type's data (the event catalogue in @flywheel/core). */
export const eventSchema = z.discriminatedUnion(
  'type',
  eventTypes.map((type) => cloudEventEnvelopeSchema.extend({ type: z.literal(type), data: eventCatalogue[type] })) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

/** `GET /v1/events?type=&since=&limit=`: recent CloudEvents the system emitted, oldest first. */
export function eventRoutes(events: EventStore, guards: RouteGuards) {
  return declareRoutes(new Hono(), guards).route(
    {
      method: 'get',
      path: '/v1/events',
      scope: 'read',
      tags: ['events'],
      summary: 'Recent CloudEvents the system emitted, oldest first',
      request: { query: eventsQuery },
      responses: { 200: ok('The events', z.object({ events: z.array(eventSchema) })), ...problems(400) },
    },
    async (c) => {
      const query = validate(eventsQuery, c.req.query());
      // Stored times are UTC ISO strings; compare `since` in the same form.
      const since = query.since === undefined ? undefined : new Date(query.since).toISOString();
      return c.json({ events: await events.list({ type: query.type, since, limit: query.limit }) });
    },
  ).app;
}
