import { Hono } from 'hono';
import { z } from 'zod';
import { queryDrift, type AlertActionResult, type AlertDesk, type AlertStatusName, type DriftScoreStore, type ProfileSource, type WindowStore } from '@flywheel/monitor';
import type { RequireScope } from '../auth.ts';
import { Problem } from '../problem.ts';
import { validate } from '../validation.ts';
import { hourRange, isoTime } from './hour-range.ts';
import { nameParam } from './path-params.ts';

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
export function monitoringRoutes(deps: MonitoringDependencies, requireScope: RequireScope, now: () => Date = () => new Date()) {
  return new Hono()
    .get('/v1/endpoints/:endpoint/drift', requireScope('read'), async (c) => {
      const endpoint = nameParam(c, 'endpoint');
      const query = validate(driftQuerySchema, c.req.query());
      const { from, to } = hourRange(query, now());
      const result = await queryDrift(deps.windows, deps.profiles, { endpoint, from, to, variant: query.variant });
      const common = { endpoint, variant: query.variant ?? null, health: result.health };
      if (result.status === 'empty') {
        return c.json({
          window: { from, to, count: 0 },
          ...common,
          drifted: false,
          features: [],
          predictions: [],
          quality: { missing: [], outOfRange: [], newCategories: [], typeErrors: [] },
        });
      }
      if (result.status === 'no-baseline') {
        throw new Problem(404, `Model ${result.model} version ${result.version} has no baseline to compare with; PUT one at /v1/models/${result.model}/versions/${result.version}/baseline.`, {
          extensions: { window: { from, to }, versions: result.versions },
        });
      }
      return c.json({
        window: { from, to, count: result.count },
        ...common,
        model: result.model,
        version: result.version,
        ...result.report,
        versions: result.versions,
      });
    })
    .get('/v1/alerts', requireScope('read'), async (c) => {
      const query = validate(alertQuerySchema, c.req.query());
      const alerts = await deps.alerts.list({ status: query.status, endpoint: query.endpoint, limit: query.limit });
      return c.json({ alerts });
    })
    .get('/v1/alerts/:id', requireScope('read'), async (c) => {
      const alert = await deps.alerts.get(alertId(c.req.param('id')));
      if (!alert) throw new Problem(404, `No alert ${c.req.param('id')}.`);
      return c.json(alert);
    })
    // Acting on an alert changes what the monitor does next (resolving starts its cool-down): deploy scope.
    .post('/v1/alerts/:id/acknowledge', requireScope('deploy'), async (c) => c.json(settled(await deps.alerts.acknowledge(alertId(c.req.param('id'))), c.req.param('id'))))
    .post('/v1/alerts/:id/resolve', requireScope('deploy'), async (c) => c.json(settled(await deps.alerts.resolve(alertId(c.req.param('id'))), c.req.param('id'))));
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
