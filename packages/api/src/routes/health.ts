import { Hono } from 'hono';
import { z } from 'zod';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { ok } from './openapi.ts';

export function healthRoutes(guards: RouteGuards) {
  return declareRoutes(new Hono(), guards).route(
    { method: 'get', path: '/healthz', tags: ['health'], summary: 'Liveness of the API', responses: { 200: ok('ok', z.object({ status: z.literal('ok') })) } },
    (c) => c.json({ status: 'ok' }),
  ).app;
}
