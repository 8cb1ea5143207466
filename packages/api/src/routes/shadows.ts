import { Hono } from 'hono';
import { z } from 'zod';
import type { EndpointStore, WindowStore } from '@flywheel/core';
import { queryShadows } from '@flywheel/monitor';
import { Problem } from '../problem.ts';
import { validate } from '../validation.ts';
import { hourRange, isoTime } from './hour-range.ts';
import { nameParam } from './path-params.ts';
import { resourceNameSchema } from '@flywheel/core';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { ok, params, problems } from './openapi.ts';

export interface ShadowRouteDependencies {
  windows: Pick<WindowStore, 'list'>;
  endpoints: Pick<EndpointStore, 'current'>;
}

/** One shadow version over the range (`ShadowSummary` in @flywheel/monitor). */
const shadowSummarySchema = z.object({
  name: z.string(),
  model: z.string(),
  version: z.int(),
  count: z.int(),
  errors: z.int(),
  argmaxAgreement: z.number().nullable(),
  meanAbsoluteDifference: z.number().nullable(),
});

export const shadowQuerySchema = z.object({ from: isoTime.optional(), to: isoTime.optional() });

/**
 * `GET /v1/endpoints/{endpoint}/shadows?from=&to=`: per shadow and version over the range (whole
 * hours, default the last 24 h), the rows it ran, its failures, and its agreement with the
 * variants whose requests it mirrored — argmax agreement and mean absolute difference.
 */
export function shadowRoutes(deps: ShadowRouteDependencies, guards: RouteGuards, now: () => Date = () => new Date()) {
  return declareRoutes(new Hono(), guards).route(
    {
      method: 'get',
      path: '/v1/endpoints/{endpoint}/shadows',
      scope: 'read',
      tags: ['monitoring'],
      summary: 'How each shadow agreed with the variants it mirrored, over whole hours (the last 24 by default, at most 90 days)',
      request: { params: params({ endpoint: resourceNameSchema }), query: shadowQuerySchema },
      responses: { 200: ok('Per shadow and version: rows run, failures, argmax agreement and mean absolute difference', z.array(shadowSummarySchema)), ...problems(400, 404) },
    },
    async (c) => {
      const endpoint = nameParam(c, 'endpoint');
      const range = hourRange(validate(shadowQuerySchema, c.req.query()), now());
      if (!(await deps.endpoints.current(endpoint))) throw new Problem(404, `No endpoint ${endpoint}.`);
      return c.json(await queryShadows(deps.windows, { endpoint, ...range }));
    },
  ).app;
}
