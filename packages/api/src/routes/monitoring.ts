import { Hono } from 'hono';
import { z } from 'zod';
import { queryDrift, type AlertActionResult, type AlertDesk } from '@flywheel/monitor';
import type { ProfileSource, AlertStatusName, DriftScoreStore, WindowStore } from '@flywheel/core';
import { Problem } from '../problem.ts';
import { validate } from '../validation.ts';
import { hourRange, isoTime } from './hour-range.ts';
import { nameParam } from './path-params.ts';
import { resourceNameSchema } from '@flywheel/core';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { ok, params, problems } from './openapi.ts';

/** What the monitoring routes read: the monitor's windows, profiles, drift scores and alerts. */
export interface MonitoringDependencies {
  windows: Pick<WindowStore, 'list'>;
  profiles: ProfileSource;
  driftScores: Pick<DriftScoreStore, 'list'>;
  alerts: AlertDesk;
}

export const driftQuerySchema = z.object({
  from: isoTime.optional(),
  to: isoTime.optional(),
  variant: z.string().min(1).max(63).optional(),
});

/** The drift route's query: the range and variant, and optionally one column to draw. */
export const driftRouteQuerySchema = driftQuerySchema.extend({
  feature: z.string().min(1).max(200).optional().describe('A feature (or prediction output) whose reference and current distribution to add as `distribution`'),
});

const share = z.number().min(0).max(1);
/** What `?feature=` adds: the reference's and the merged window's shares of that column. */
export const featureDistributionSchema = z.discriminatedUnion('kind', [
  z.object({
    name: z.string(),
    kind: z.literal('numerical'),
    edges: z
      .array(z.number())
      .describe(
        'About ten bins of equal reference mass (the bins PSI compares): entry 0 of the shares is below edges[0], entry i in (edges[i−1], edges[i]] (entry 1 includes edges[0]), the last above the last edge',
      ),
    reference: z.array(share),
    current: z.array(share),
    referenceCount: z.int(),
    currentCount: z.int(),
  }),
  z.object({
    name: z.string(),
    kind: z.literal('categorical'),
    categories: z.array(z.string()),
    reference: z.array(share).describe('Per category, then the categories the reference folded into other, then new categories (0 in the reference)'),
    current: z.array(share),
    referenceCount: z.int(),
    currentCount: z.int(),
  }),
]);

/** A column's drift (`ColumnDrift` in @flywheel/core): the decision, then the raw tests and every effect size. */
const columnDriftSchema = z.strictObject({
  name: z.string(),
  kind: z.enum(['numerical', 'categorical']),
  method: z.enum(['ks+wasserstein', 'ks+psi', 'chi-square+jensen-shannon']),
  statistic: z.number().nullable().describe('The effect size compared with threshold; null when the window has no valid values'),
  pValue: z.number().optional().describe('Benjamini–Hochberg-adjusted; absent when not tested'),
  threshold: z.number(),
  drifted: z.boolean(),
  count: z.int(),
  insufficientData: z.boolean(),
  ks: z.strictObject({ statistic: z.number(), pValue: z.number() }).optional(),
  wasserstein: z.number().optional(),
  psi: z.number().optional(),
  jensenShannon: z.number().optional(),
  chiSquare: z.strictObject({ statistic: z.number(), degreesOfFreedom: z.int(), pValue: z.number() }).optional(),
});
const qualityCountSchema = z.strictObject({ name: z.string(), count: z.int(), rate: z.number() });
/** `ServingHealth` in @flywheel/monitor: latencies in milliseconds, null without requests. */
const servingHealthSchema = z.strictObject({
  requests: z.int(),
  errors: z.int(),
  errorRate: z.number(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

/** What the drift route answers: `DriftReport` in @flywheel/core, with the window, health and versions. */
export const driftResponseSchema = z.strictObject({
  window: z.strictObject({ from: z.string(), to: z.string(), count: z.int() }),
  endpoint: z.string(),
  variant: z.string().nullable(),
  health: servingHealthSchema,
  model: z.string().optional().describe('The version judged (the one serving most recently); absent without traffic'),
  version: z.int().optional(),
  drifted: z.boolean(),
  features: z.array(columnDriftSchema),
  predictions: z.array(columnDriftSchema),
  quality: z.strictObject({
    missing: z.array(qualityCountSchema),
    outOfRange: z.array(qualityCountSchema),
    newCategories: z.array(qualityCountSchema.extend({ examples: z.array(z.string()) })),
    typeErrors: z.array(qualityCountSchema),
  }),
  distribution: featureDistributionSchema.nullable().optional().describe('Only with ?feature=: null when the range has no traffic'),
  versions: z
    .array(z.strictObject({ model: z.string(), version: z.int(), records: z.int() }))
    .optional()
    .describe('Every version the range served, with its rows; absent without traffic'),
});

/** An alert as the desk keeps it (see `Alert` in @flywheel/monitor). */
export const alertSchema = z.strictObject({
  id: z.string(),
  endpoint: z.string(),
  kind: z.enum(['drift', 'quality', 'error_rate', 'latency', 'performance']),
  feature: z.string().optional(),
  status: z.enum(['open', 'acknowledged', 'resolved']),
  value: z.number(),
  threshold: z.number(),
  variants: z.array(z.string()),
  windowStart: z.string(),
  windowEnd: z.string(),
  summary: z.string(),
  openedAt: z.string(),
  acknowledgedAt: z.string().optional(),
  resolvedAt: z.string().optional(),
  resolvedBy: z.enum(['policy', 'user']).optional(),
});
const alertParams = params({ id: z.string() });

const alertQuerySchema = z.object({
  status: z.enum(['open', 'acknowledged', 'resolved'] satisfies AlertStatusName[]).optional(),
  endpoint: z.string().min(1).max(63).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * `GET /v1/endpoints/{endpoint}/drift`, `GET /v1/alerts`, `POST /v1/alerts/{id}/acknowledge|resolve`.
 * Windows are whole hours: the range is widened to the hours it touches, and the response says
 * which range was merged.
 */
export function monitoringRoutes(deps: MonitoringDependencies, guards: RouteGuards, now: () => Date = () => new Date()) {
  return (
    declareRoutes(new Hono(), guards)
      .route(
        {
          method: 'get',
          path: '/v1/endpoints/{endpoint}/drift',
          scope: 'read',
          tags: ['monitoring'],
          summary: 'Drift per column against the baseline, over whole hours (the last 24 by default, at most 90 days)',
          description:
            "With `feature`, adds that column's reference and current distribution (`distribution`): shares over about ten bins of equal reference mass for a numerical column, per category (then other, then new categories) for a categorical one. A name the version's profile does not have is a 400.",
          request: { params: params({ endpoint: resourceNameSchema }), query: driftRouteQuerySchema },
          responses: { 200: ok('Drift per variant and column, with counts and health', driftResponseSchema), ...problems(400, 404) },
        },
        async (c) => {
          const endpoint = nameParam(c, 'endpoint');
          const query = validate(driftRouteQuerySchema, c.req.query());
          const { from, to } = hourRange(query, now());
          const result = await queryDrift(deps.windows, deps.profiles, { endpoint, from, to, variant: query.variant, feature: query.feature });
          const common = { endpoint, variant: query.variant ?? null, health: result.health };
          if (result.status === 'empty') {
            return c.json({
              window: { from, to, count: 0 },
              ...common,
              drifted: false,
              features: [],
              predictions: [],
              quality: { missing: [], outOfRange: [], newCategories: [], typeErrors: [] },
              // Without traffic there is no window to compare, and no profile read to check the name.
              ...(query.feature === undefined ? {} : { distribution: null }),
            });
          }
          if (result.status === 'no-baseline') {
            throw new Problem(
              404,
              `Model ${result.model} version ${result.version} has no baseline to compare with; PUT one at /v1/models/${result.model}/versions/${result.version}/baseline.`,
              {
                extensions: { window: { from, to }, versions: result.versions },
              },
            );
          }
          if (query.feature !== undefined && !result.distribution) {
            const columns = [...result.report.features, ...result.report.predictions].map((column) => column.name);
            throw new Problem(400, `Model ${result.model} version ${result.version} has no column ${JSON.stringify(query.feature)}; its columns are ${columns.join(', ')}.`);
          }
          return c.json({
            window: { from, to, count: result.count },
            ...common,
            model: result.model,
            version: result.version,
            ...result.report,
            ...(result.distribution ? { distribution: result.distribution satisfies z.input<typeof featureDistributionSchema> } : {}),
            versions: result.versions,
          });
        },
      )
      .route(
        {
          method: 'get',
          path: '/v1/alerts',
          scope: 'read',
          tags: ['monitoring'],
          summary: 'Alerts, newest first, by status and endpoint',
          request: { query: alertQuerySchema },
          responses: { 200: ok('The alerts', z.object({ alerts: z.array(alertSchema) })), ...problems(400) },
        },
        async (c) => {
          const query = validate(alertQuerySchema, c.req.query());
          const alerts = await deps.alerts.list({ status: query.status, endpoint: query.endpoint, limit: query.limit });
          return c.json({ alerts });
        },
      )
      .route(
        {
          method: 'get',
          path: '/v1/alerts/{id}',
          scope: 'read',
          tags: ['monitoring'],
          summary: 'An alert',
          request: { params: alertParams },
          responses: { 200: ok('The alert', alertSchema), ...problems(404) },
        },
        async (c) => {
          const alert = await deps.alerts.get(alertId(c.req.param('id')));
          if (!alert) throw new Problem(404, `No alert ${c.req.param('id')}.`);
          return c.json(alert);
        },
      )
      // Acting on an alert changes what the monitor does next (resolving starts its cool-down): deploy scope.
      .route(
        {
          method: 'post',
          path: '/v1/alerts/{id}/acknowledge',
          scope: 'deploy',
          audited: true,
          tags: ['monitoring'],
          summary: 'Acknowledge an open alert',
          request: { params: alertParams },
          responses: { 200: ok('The alert, acknowledged', alertSchema), ...problems(404, 409) },
        },
        async (c) => c.json(settled(await deps.alerts.acknowledge(alertId(c.req.param('id'))), c.req.param('id'))),
      )
      .route(
        {
          method: 'post',
          path: '/v1/alerts/{id}/resolve',
          scope: 'deploy',
          audited: true,
          tags: ['monitoring'],
          summary: 'Resolve an alert (its cool-down starts)',
          request: { params: alertParams },
          responses: { 200: ok('The alert, resolved', alertSchema), ...problems(404, 409) },
        },
        async (c) => c.json(settled(await deps.alerts.resolve(alertId(c.req.param('id'))), c.req.param('id'))),
      ).app
  );
}

/** Alert ids are 24 hex digits (see `alertIdFor`); anything else names no alert. */
function alertId(id: string): string {
  if (!/^[0-9a-f]{24}$/.test(id)) throw new Problem(404, `No alert ${JSON.stringify(id.slice(0, 100))}.`);
  return id;
}

function settled(result: AlertActionResult, id: string) {
  if (result.status === 'not-found') throw new Problem(404, `No alert ${id}.`);
  if (result.status === 'conflict') throw new Problem(409, `Alert ${id} is ${result.alert.status}; it cannot be acknowledged.`, { extensions: { alert: result.alert } });
  return result.alert;
}
