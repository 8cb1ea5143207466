import { Hono } from 'hono';
import { z } from 'zod';
import {
  MAX_FEEDBACK_ITEMS,
  feedbackItemSchema,
  labelsEventOf,
  parseFeedback,
  type EndpointStore,
  type EventPublisher,
  type FeedbackStore,
  resourceNameSchema,
} from '@flywheel/core';
import { Problem } from '../problem.ts';
import { limitBody } from '../serving/limits.ts';
import { readJson } from '../validation.ts';
import { nameParam } from './path-params.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { json, ok, params, problems } from './openapi.ts';

/** Largest feedback body: 1,000 items with room to spare. */
export const MAX_FEEDBACK_BYTES = 1024 * 1024;

export interface FeedbackRouteDependencies {
  endpoints: Pick<EndpointStore, 'current'>;
  feedback: Pick<FeedbackStore, 'record'>;
  /** Where `labels.received` goes, for the retraining policy. */
  events: EventPublisher;
}

/**
 * `POST /v1/endpoints/{endpoint}/feedback`: `{id, label?, value?, outcome?}` or
 * `{feedback: [...]}` → 202 with what was taken. The whole body is checked before anything is
 * kept; keeping it is safe to repeat (a retry counts once), so a failure part-way is retried as is.
 */
export function feedbackRoutes(deps: FeedbackRouteDependencies, guards: RouteGuards) {
  return declareRoutes(new Hono(), guards).route(
    {
      method: 'post',
      path: '/v1/endpoints/{endpoint}/feedback',
      scope: 'predict',
      tags: ['experiments'],
      summary: 'Ground truth and outcomes for earlier predictions',
      description:
        'One item or {feedback: [...]} (at most ' +
        MAX_FEEDBACK_ITEMS +
        ' items): `id` names a prediction (one value per row, or an array) or a row as <id>/<row>. Safe to repeat: a row counts once.',
      request: {
        params: params({ endpoint: resourceNameSchema }),
        body: json(z.union([feedbackItemSchema, z.object({ feedback: z.array(feedbackItemSchema).min(1).max(MAX_FEEDBACK_ITEMS) })])),
      },
      responses: {
        202: ok(
          'Taken: rows joined to their predictions now, and rows waiting for theirs',
          z.object({ endpoint: z.string(), accepted: z.int(), rows: z.int(), joined: z.int(), waiting: z.int(), labelled: z.int() }),
        ),
        ...problems(400, 404, 413, 415),
      },
    },
    limitBody(MAX_FEEDBACK_BYTES, `Send at most ${MAX_FEEDBACK_ITEMS} items per request.`),
    async (c) => {
      const endpoint = nameParam(c, 'endpoint');
      const body = await readJson(c, z.unknown());
      const parsed = parseFeedback(body);
      if (!parsed.ok) {
        if (parsed.reason === 'too-many') throw new Problem(413, parsed.detail);
        throw new Problem(400, 'The feedback is not valid; none of it was kept.', { errors: parsed.errors });
      }
      if (!(await deps.endpoints.current(endpoint))) throw new Problem(404, `No endpoint ${endpoint}.`);
      const receipt = await deps.feedback.record(endpoint, parsed.rows);
      const labels = await labelsEventOf(endpoint, parsed.rows, new Date().toISOString());
      if (labels) await deps.events.publish(labels);
      return c.json(
        {
          endpoint,
          accepted: parsed.items,
          rows: receipt.rows,
          // Rows whose prediction is known: their feedback counts now. The rest waits for its prediction.
          joined: receipt.joined,
          waiting: receipt.rows - receipt.joined,
          labelled: labels?.data.count ?? 0,
        },
        202,
      );
    },
  ).app;
}
