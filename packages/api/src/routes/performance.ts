import { Hono } from 'hono';
import { z } from 'zod';
import type { EndpointStore } from '@flywheel/core';
import { queryPerformance } from '@flywheel/monitor';
import { Problem } from '../problem.ts';
import { validate } from '../validation.ts';
import { hourRange } from './hour-range.ts';
import { driftQuerySchema } from './monitoring.ts';
import { nameParam } from './path-params.ts';
import { resourceNameSchema, VersionCache, type VersionRegistry, type WindowStore } from '@flywheel/core';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { ok, params, problems } from './openapi.ts';

export interface PerformanceRouteDependencies {
  windows: Pick<WindowStore, 'list'>;
  endpoints: Pick<EndpointStore, 'current'>;
  /** Model versions: their tasks, and the reference performance their training measured. */
  registry: VersionRegistry;
}

/** The range and variant, as for drift. */
export const performanceQuerySchema = driftQuerySchema;

const figure = z.number().nullable();
const classificationFigures = z.object({ rows: z.int(), accuracy: figure, precision: figure, recall: figure, auc: figure });
const figures = {
  /** From joined labels: a classifier's figures, or a regressor's errors. */
  realized: z.union([classificationFigures, z.object({ rows: z.int(), mae: figure, rmse: figure })]).nullable(),
  /** From the predicted probabilities of every served row (CBPE). */
  estimated: classificationFigures.nullable(),
};

/** What the route answers (documented in the OpenAPI document). */
export const performanceResponseSchema = z.object({
  endpoint: z.string(),
  variant: z.string().nullable(),
  window: z.object({ from: z.string(), to: z.string() }),
  series: z.array(
    z.object({
      variant: z.string(),
      model: z.string(),
      version: z.int(),
      reference: z.object({ accuracy: z.number().optional(), auc: z.number().optional(), rmse: z.number().optional(), mae: z.number().optional() }).nullable(),
      ...figures,
      windows: z.array(z.object({ from: z.string(), to: z.string(), ...figures })),
    }),
  ),
});

/**
 * `GET /v1/endpoints/{endpoint}/performance?from=&to=&variant=`: per variant and model version
 * over the range (whole windows, default the last 24 h), realized performance from joined labels
 * and the confidence-based estimate from the served probabilities, per window and merged, next
 * to the version's reference (its training's holdout metrics).
 */
export function performanceRoutes(deps: PerformanceRouteDependencies, guards: RouteGuards, now: () => Date = () => new Date()) {
  const versions = new VersionCache(deps.registry);
  return declareRoutes(new Hono(), guards).route(
    {
      method: 'get',
      path: '/v1/endpoints/{endpoint}/performance',
      scope: 'read',
      tags: ['monitoring'],
      summary:
        'Realized performance from labels and the confidence-based estimate from probabilities, per window and merged, over whole hours (the last 24 by default, at most 90 days)',
      description:
        "Per variant and model version: accuracy, precision, recall and AUC (classifiers) or MAE and RMSE (regression) from joined feedback; estimated accuracy, precision, recall and AUC from the predicted probabilities of every served row (CBPE); the version's reference (its training holdout metrics).",
      request: { params: params({ endpoint: resourceNameSchema }), query: performanceQuerySchema },
      responses: { 200: ok('Per variant and version: per-window and merged figures, and the reference', performanceResponseSchema), ...problems(400, 404) },
    },
    async (c) => {
      const endpoint = nameParam(c, 'endpoint');
      const query = validate(performanceQuerySchema, c.req.query());
      const range = hourRange(query, now());
      if (!(await deps.endpoints.current(endpoint))) throw new Problem(404, `No endpoint ${endpoint}.`);
      const series = await queryPerformance(deps.windows, versions, { endpoint, ...range, variant: query.variant });
      return c.json({ endpoint, variant: query.variant ?? null, window: range, series } satisfies z.input<typeof performanceResponseSchema>);
    },
  ).app;
}
