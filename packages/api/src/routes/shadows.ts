import { Hono } from 'hono';
import { z } from 'zod';
import type { EndpointStore } from '@flywheel/core';
import { queryShadows, type WindowStore } from '@flywheel/monitor';
import type { RequireScope } from '../auth.ts';
import { Problem } from '../problem.ts';
import { validate } from '../validation.ts';
import { hourRange, isoTime } from './hour-range.ts';
import { nameParam } from './path-params.ts';

export interface ShadowRouteDependencies {
  windows: Pick<WindowStore, 'list'>;
  endpoints: Pick<EndpointStore, 'current'>;
}

export const shadowQuerySchema = z.object({ from: isoTime.optional(), to: isoTime.optional() });

/**
 * `GET /v1/endpoints/{endpoint}/shadows?from=&to=`: per shadow and version over the range (whole
 * hours, default the last 24 h), the rows it ran, its failures, and its agreement with the
 * variants whose requests it mirrored — argmax agreement and mean absolute difference.
 */
export function shadowRoutes(deps: ShadowRouteDependencies, requireScope: RequireScope, now: () => Date = () => new Date()) {
  return new Hono().get('/v1/endpoints/:endpoint/shadows', requireScope('read'), async (c) => {
    const endpoint = nameParam(c, 'endpoint');
    const range = hourRange(validate(shadowQuerySchema, c.req.query()), now());
    if (!(await deps.endpoints.current(endpoint))) throw new Problem(404, `No endpoint ${endpoint}.`);
    return c.json(await queryShadows(deps.windows, { endpoint, ...range }));
  });
}
