import { Hono } from 'hono';
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
import type { AuthVariables, RequireScope } from '../auth.ts';
import { Problem } from '../problem.ts';
import { limitBody } from '../serving/limits.ts';
import { readJson } from '../validation.ts';

export interface ErasureRouteDependencies {
  store: Pick<ErasureStore, 'start' | 'get'>;
  queue: ErasureQueue;
  /** The serving path's keyed unit hash: the archive holds units only as these. */
  hashUnit: (unit: string) => string;
  /** The feature store's entity erasure; without it an entity subject is refused. */
  features?: FeatureEraser;
}

const MAX_BODY_BYTES = 16 * 1024;

/**
 * `POST /v1/erasures` (scope admin) → 202 `{erasureId, status}`: erases a data subject from the
 * prediction-log archive, the feedback join and the datasets (and the feature store's entity),
 * worked by the erasure worker. The same subject and reason while one is queued or running
 * answers that one. `GET /v1/erasures/{id}` (scope admin): progress, then what was removed where.
 */
export function erasureRoutes(deps: ErasureRouteDependencies, requireScope: RequireScope, now: () => Date = () => new Date()) {
  return new Hono<{ Variables: AuthVariables }>()
    .post('/v1/erasures', requireScope('admin'), limitBody(MAX_BODY_BYTES), async (c) => {
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
    })
    .get('/v1/erasures/:erasureId', requireScope('admin'), async (c) => {
      const id = c.req.param('erasureId');
      const erasure = isErasureId(id) ? await deps.store.get(id) : undefined;
      if (!erasure) throw new Problem(404, `No erasure ${id.length > 64 ? `${id.slice(0, 64)}…` : id}.`);
      return c.json(erasureView(erasure));
    });
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
            archive: { objectsScanned: progress.archiveObjectsScanned, objectsRewritten: progress.archiveObjectsRewritten, rowsRemoved: progress.archiveRowsRemoved, objects: archiveObjects },
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
