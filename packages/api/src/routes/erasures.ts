import { Hono } from 'hono';
import { z } from 'zod';
import {
  ErasureRequestSchema,
  emptyProgress,
  erasureSubjectKey,
  isErasureId,
  randomErasureId,
  type Erasure,
  type ErasureQueue,
  type ErasureStore,
  type ErasureSubject,
  type FeatureEraser,
} from '@flywheel/core';
import type { AuthVariables } from '../auth.ts';
import { Problem } from '../problem.ts';
import { limitBody } from '../serving/limits.ts';
import { readJson } from '../validation.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { ok, params, problems } from './openapi.ts';

export interface ErasureRouteDependencies {
  store: Pick<ErasureStore, 'start' | 'get'>;
  queue: ErasureQueue;
  /** The serving path's keyed unit hash: the archive holds units only as these. */
  hashUnit: (unit: string) => string;
  /** The feature store's entity erasure; without it an entity subject is refused. */
  features?: FeatureEraser;
}

const MAX_BODY_BYTES = 16 * 1024;

const count = z.int().min(0);
/** What GET answers: the erasure as worked so far (`Erasure` in @flywheel/core), with its report once it succeeded. */
export const erasureViewSchema = z.strictObject({
  erasureId: z.string(),
  subject: z
    .strictObject({
      unitHash: z.string().optional().describe('The unit, keyed-hashed as the archive holds it'),
      entity: z.strictObject({ view: z.string(), id: z.string() }).optional(),
    })
    .describe('The data subject as stored (a unit only hashed)'),
  reason: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  phase: z.enum(['archive', 'units', 'datasets', 'features', 'done']),
  progress: z.strictObject({
    archiveObjectsScanned: count,
    archiveObjectsRewritten: count,
    archiveRowsRemoved: count,
    feedbackItemsDeleted: count,
    predictionItemsDeleted: count,
    unitClaimsDeleted: count,
    datasetsScanned: count,
    datasetsMarked: count,
    datasetRowsRemoved: count,
    featureItemsDeleted: count,
    featureFilesRewritten: count,
  }),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().optional(),
  error: z.string().optional(),
  requestedBy: z.strictObject({ keyId: z.string(), keyName: z.string() }).optional(),
  report: z
    .strictObject({
      archive: z.strictObject({
        objectsScanned: count,
        objectsRewritten: count,
        rowsRemoved: count,
        objects: z.array(z.string()).describe('The objects rewritten (the first 200)'),
      }),
      feedback: z.strictObject({ itemsDeleted: count }),
      joins: z.strictObject({ predictionItemsDeleted: count }),
      experiments: z.strictObject({ unitClaimsDeleted: count }),
      datasets: z.strictObject({ scanned: count, marked: count, rowsRemoved: count, sha256: z.array(z.string()).describe('The datasets marked (the first 200)') }),
      features: z.union([
        z.strictObject({ onlineItemsDeleted: count, offlineFilesRewritten: count }),
        z.strictObject({ requested: z.literal(false) }).describe('The subject named no entity'),
      ]),
      windows: z.strictObject({ changed: z.literal(false) }).describe("Window sketches are aggregates: they keep the subject's counts"),
    })
    .optional()
    .describe('Once succeeded: what was removed where'),
});

/**
 * `POST /v1/erasures` (scope admin) → 202 `{erasureId, status}`: erases a data subject from the
 * prediction-log archive, the feedback join and the datasets (and the feature store's entity),
 * worked by the erasure worker. The same subject and reason while one is queued or running
 * answers that one. `GET /v1/erasures/{id}` (scope admin): progress, then what was removed where.
 */
export function erasureRoutes(deps: ErasureRouteDependencies, guards: RouteGuards, now: () => Date = () => new Date()) {
  return declareRoutes(new Hono<{ Variables: AuthVariables }>(), guards)
    .route(
      {
        method: 'post',
        path: '/v1/erasures',
        scope: 'admin',
        audited: true,
        tags: ['erasures'],
        summary:
          'Erase a data subject {subject: {unit?, entity?: {view, id}}, reason}: archive rows, feedback and join items, dataset rows (datasets marked), feature rows; window aggregates keep their counts. The same subject and reason while one runs answers that one',
        request: { body: { content: { 'application/json': { schema: ErasureRequestSchema } } } },
        responses: {
          202: ok(
            'Accepted; worked by the erasure worker',
            z.object({ erasureId: z.string(), status: z.enum(['queued', 'running', 'succeeded', 'failed']), existing: z.literal(true).optional() }),
          ),
          ...problems(400, 413, 415, 422),
        },
      },
      limitBody(MAX_BODY_BYTES),
      async (c) => {
        const body = await readJson(c, ErasureRequestSchema);
        if (body.subject.entity && !deps.features) {
          throw new Problem(422, 'No feature store is configured, so an entity cannot be erased; erase by unit, or configure the feature store.', {
            errors: [{ path: 'subject.entity', message: 'no feature store configured' }],
          });
        }
        if (body.subject.entity && !(await deps.features!.hasView(body.subject.entity.view))) {
          throw new Problem(404, `There is no feature view ${body.subject.entity.view}, so it holds no rows of the entity.`, {
            errors: [{ path: 'subject.entity.view', message: 'no such feature view' }],
          });
        }
        const subject: ErasureSubject = {
          ...(body.subject.unit !== undefined ? { unitHash: deps.hashUnit(body.subject.unit) } : {}),
          ...(body.subject.entity ? { entity: body.subject.entity } : {}),
        };
        const at = now().toISOString();
        const key = c.get('apiKey');
        const erasure: Erasure = {
          erasureId: randomErasureId(),
          subject,
          reason: body.reason,
          status: 'queued',
          phase: 'archive',
          progress: emptyProgress(),
          archiveObjects: [],
          datasets: [],
          createdAt: at,
          updatedAt: at,
          requestedBy: { keyId: key.id, keyName: key.name },
        };
        const started = await deps.store.start(erasure, await erasureSubjectKey(subject, body.reason));
        // Also when it already existed: a message lost between the write and the send is sent again (the worker's lease makes a duplicate harmless).
        await deps.queue.enqueue(started.erasure.erasureId);
        c.header('location', `/v1/erasures/${started.erasure.erasureId}`);
        return c.json({ erasureId: started.erasure.erasureId, status: started.erasure.status, ...(started.created ? {} : { existing: true }) }, 202);
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/erasures/{erasureId}',
        scope: 'admin',
        tags: ['erasures'],
        summary: 'An erasure: status, progress, and once succeeded the report of what was removed where',
        request: { params: params({ erasureId: z.string() }) },
        responses: { 200: ok('The erasure', erasureViewSchema), ...problems(404) },
      },
      async (c) => {
        const id = c.req.param('erasureId');
        const erasure = isErasureId(id) ? await deps.store.get(id) : undefined;
        if (!erasure) throw new Problem(404, `No erasure ${id.length > 64 ? `${id.slice(0, 64)}…` : id}.`);
        return c.json(erasureView(erasure));
      },
    ).app;
}

/** The erasure as the API shows it: progress while it runs, and on success the report of what was removed where. */
function erasureView(erasure: Erasure & { pending?: unknown }) {
  const { pending: _pending, cursor: _cursor, progress, archiveObjects, datasets, ...rest } = erasure;
  return {
    ...rest,
    progress,
    ...(erasure.status === 'succeeded'
      ? {
          report: {
            archive: {
              objectsScanned: progress.archiveObjectsScanned,
              objectsRewritten: progress.archiveObjectsRewritten,
              rowsRemoved: progress.archiveRowsRemoved,
              objects: archiveObjects,
            },
            feedback: { itemsDeleted: progress.feedbackItemsDeleted },
            joins: { predictionItemsDeleted: progress.predictionItemsDeleted },
            experiments: { unitClaimsDeleted: progress.unitClaimsDeleted },
            datasets: { scanned: progress.datasetsScanned, marked: progress.datasetsMarked, rowsRemoved: progress.datasetRowsRemoved, sha256: datasets },
            features: erasure.subject.entity ? { onlineItemsDeleted: progress.featureItemsDeleted, offlineFilesRewritten: progress.featureFilesRewritten } : { requested: false },
            // Window sketches are aggregates: they keep the subject's counts (README, Erasure).
            windows: { changed: false },
          },
        }
      : {}),
  };
}
