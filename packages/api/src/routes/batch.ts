import { Hono } from 'hono';
import { z } from 'zod';
import {
  BATCH_FORMATS,
  BATCH_JOB_STATUSES,
  CANCELLABLE,
  InvalidCursorError,
  MAX_BATCH_JOB_PAGE,
  batchJobId,
  batchJobView,
  batchRequestHash,
  batchSubmitSchema,
  championVariant,
  isResourceName,
  newBatchJob,
  type BatchDispatcher,
  type BatchFormat,
  type BatchJob,
  type BatchJobStore,
  type BatchObjects,
  type BatchSubmit,
  type BatchTarget,
  type StagedUpload,
  type UploadCompletion,
  type UploadedPart,
  resourceNameSchema,
} from '@flywheel/core';
import { Problem } from '../problem.ts';
import { limitBody } from '../serving/limits.ts';
import { routePinned, routeRequest } from '../serving/route.ts';
import type { Serving } from '../serving/serving.ts';
import { MAX_CONFIG_BODY_BYTES, readJson, readOptionalJson, validate } from '../validation.ts';
import { nameParam } from './path-params.ts';
import { declareRoutes, type RouteGuards } from './define-route.ts';
import { json, ok, params, problems } from './openapi.ts';

/** The bucket side of batch jobs the API uses: what the workers use, plus staged uploads. */
export interface BatchRouteObjects extends Pick<BatchObjects, 'writeInput' | 'readOutput'> {
  createUpload(format: BatchFormat, options: { expiresInSeconds: number; sizeBytes?: number }): Promise<StagedUpload>;
  completeUpload(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<UploadCompletion>;
  isUploadKey(key: string): boolean;
  hasObject(key: string): Promise<boolean>;
}

export interface BatchRouteDependencies {
  jobs: BatchJobStore;
  objects: BatchRouteObjects;
  dispatcher: BatchDispatcher;
}

export const batchUploadBodySchema = z.strictObject({
  format: z.enum(BATCH_FORMATS).optional(),
  /** The input's size: past one part (8 MiB), the upload is multipart, with a URL per part; submit its parts with the key. */
  sizeBytes: z.int().min(1).optional(),
});
export const batchJobViewSchema = z.object({
  jobId: z.string(),
  endpoint: z.string(),
  variant: z.string(),
  model: z.string(),
  version: z.int(),
  status: z.enum(BATCH_JOB_STATUSES),
  format: z.enum(BATCH_FORMATS),
  rows: z.object({ total: z.int().nullable(), done: z.int(), failed: z.int() }),
  chunks: z.object({ total: z.int().nullable(), done: z.int() }),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  output: z.object({ key: z.string(), format: z.literal('ndjson') }).nullable(),
  errors: z.array(z.object({ row: z.int(), id: z.string().optional(), error: z.string() })),
  failure: z.string().optional(),
});

export const batchJobsQuerySchema = z.strictObject({
  endpoint: z.string().refine(isResourceName, 'must be an endpoint name').optional(),
  status: z.enum(BATCH_JOB_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_BATCH_JOB_PAGE).default(20),
  cursor: z.string().max(200).optional(),
});
export const batchJobListSchema = z.object({ jobs: z.array(batchJobViewSchema), next: z.string().optional() });

const JOB_ID = /^bj-[0-9a-f]{32}$/;
const UPLOAD_EXPIRES_IN_SECONDS = 900;

/**
 * Batch predictions: `POST /v1/batch-uploads` (a presigned PUT for inputs larger than a request),
 * `POST /v1/endpoints/{endpoint}/batch` (scope predict) → 202 {jobId}, `GET /v1/batch-jobs` (newest
 * first, by endpoint and status), `GET /v1/batch-jobs/{jobId}` and `…/output` (scope read),
 * `POST /v1/batch-jobs/{jobId}/cancel` (scope predict).
 */
export function batchRoutes(deps: BatchRouteDependencies, serving: Serving, guards: RouteGuards, now: () => Date = () => new Date()) {
  const jobOf = async (jobId: string | undefined): Promise<BatchJob> => {
    const job = JOB_ID.test(jobId ?? '') ? await deps.jobs.get(jobId!) : undefined;
    if (!job) throw new Problem(404, `No batch job ${jobId}.`);
    return job;
  };
  return declareRoutes(new Hono(), guards)
    .route(
      {
        method: 'post',
        path: '/v1/batch-uploads',
        scope: 'predict',
        audited: true,
        tags: ['batch'],
        summary: 'A presigned upload for a batch input larger than a request (NDJSON, CSV or Parquet): one PUT, or past 8 MiB (`sizeBytes`) a URL per part',
        description:
          "Up to 8 MiB (or without `sizeBytes`): PUT the file to `uploadUrl`, then submit `{input: {key}}`. Larger: PUT each `partBytes` slice to its part's `uploadUrl`, then submit `{input: {key, uploadId, parts: [{partNumber, etag}]}}` with the ETags the PUTs answered; the submission assembles the upload (DELETE `abortUrl` to give it up).",
        request: { body: json(batchUploadBodySchema) },
        responses: {
          201: ok(
            'Where to PUT the input (or its parts), and the key to submit it by',
            z.object({
              key: z.string(),
              expiresAt: z.string(),
              method: z.literal('PUT'),
              format: z.string(),
              uploadUrl: z.string().optional(),
              uploadId: z.string().optional(),
              partBytes: z.int().optional(),
              parts: z.array(z.object({ partNumber: z.int(), uploadUrl: z.string() })).optional(),
              abortUrl: z.string().optional(),
            }),
          ),
          ...problems(400),
        },
      },
      limitBody(MAX_CONFIG_BODY_BYTES),
      async (c) => {
        const body = await readOptionalJson(c, batchUploadBodySchema);
        const format = body.format ?? 'ndjson';
        const upload = await deps.objects.createUpload(format, { expiresInSeconds: UPLOAD_EXPIRES_IN_SECONDS, sizeBytes: body.sizeBytes });
        return c.json({ ...upload, method: 'PUT', format }, 201);
      },
    )
    .route(
      {
        method: 'post',
        path: '/v1/endpoints/{endpoint}/batch',
        scope: 'predict',
        audited: true,
        tags: ['batch'],
        summary: 'Start a batch prediction job: the rows scored in parallel chunks with one version, as the online route scores them',
        description:
          "Records inline (NDJSON) or an uploaded key; `format` ndjson (default), csv (a header row, cells typed by the version's features) or parquet (uncompressed or snappy; typed columns, nulls are missing values). The version is fixed now: `version` of the endpoint's model, else `variant`'s, else the largest weight's. The same `idempotencyKey` with the same body returns the same job; with another body, 409.",
        request: { params: params({ endpoint: resourceNameSchema }), body: json(batchSubmitSchema) },
        responses: { 202: ok('The job, queued', z.object({ jobId: z.string(), status: z.string() })), ...problems(400, 404, 409, 413) },
      },
      limitBody(serving.maxBodyBytes, 'Send larger inputs through a presigned upload: POST /v1/batch-uploads, then {input: {key}}.'),
      async (c) => {
        const endpoint = nameParam(c, 'endpoint');
        const body = await readJson(c, batchSubmitSchema);
        const format = 'records' in body.input ? inlineFormat(body) : inputFormat(body);
        const requestHash = await batchRequestHash(endpoint, body);
        const jobId = await batchJobId(endpoint, body.idempotencyKey);
        if (body.idempotencyKey !== undefined) {
          const earlier = await deps.jobs.get(jobId);
          if (earlier) return replay(earlier, requestHash);
        }
        const target = await batchTarget(serving, endpoint, body);
        let inputKey: string;
        if ('records' in body.input) inputKey = await deps.objects.writeInput(jobId, body.input.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
        else {
          inputKey = body.input.key;
          if (body.input.uploadId !== undefined) await completeUpload(inputKey, body.input.uploadId, body.input.parts!);
          if (!deps.objects.isUploadKey(inputKey) || !(await deps.objects.hasObject(inputKey))) {
            throw new Problem(400, `Nothing was uploaded at ${inputKey}.`, {
              errors: [{ path: 'input/key', message: 'not a batch upload; get one from POST /v1/batch-uploads and PUT the input there' }],
            });
          }
        }
        const job = newBatchJob({ jobId, endpoint, target, format, inputKey, idField: body.idField, rowsPerChunk: body.rowsPerChunk, requestHash, now: now() });
        const { job: stored, created } = await deps.jobs.create(job);
        if (!created) return replay(stored, requestHash);
        await deps.dispatcher.send([{ kind: 'plan', jobId }]);
        return accepted(stored);
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/batch-jobs',
        scope: 'read',
        tags: ['batch'],
        summary: 'Batch jobs, newest first: by endpoint and status, `limit` a page, the next page by the `next` cursor',
        request: { query: batchJobsQuerySchema },
        responses: { 200: ok('A page of jobs', batchJobListSchema), ...problems(400) },
      },
      async (c) => {
        const query = validate(batchJobsQuerySchema, c.req.query());
        const page = await deps.jobs.list(query).catch((error: unknown) => {
          if (error instanceof InvalidCursorError)
            throw new Problem(400, 'The cursor is not the `next` of an earlier page of batch jobs.', { errors: [{ path: 'cursor', message: error.message }] });
          throw error;
        });
        return c.json({ jobs: page.jobs.map(batchJobView), ...(page.next ? { next: page.next } : {}) });
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/batch-jobs/{jobId}',
        scope: 'read',
        tags: ['batch'],
        summary: 'A batch job: status, rows total/done/failed, when it started and finished, its output and first row errors',
        request: { params: params({ jobId: z.string() }) },
        responses: { 200: ok('The job', batchJobViewSchema), ...problems(404) },
      },
      async (c) => c.json(batchJobView(await jobOf(c.req.param('jobId')))),
    )
    .route(
      {
        method: 'post',
        path: '/v1/batch-jobs/{jobId}/cancel',
        scope: 'predict',
        audited: true,
        tags: ['batch'],
        summary: 'Cancel a queued or running batch job: chunks not yet scored are skipped',
        request: { params: params({ jobId: z.string() }) },
        responses: { 200: ok('The job, cancelled', batchJobViewSchema), ...problems(404, 409) },
      },
      async (c) => {
        const job = await jobOf(c.req.param('jobId'));
        if (!(await deps.jobs.finish(job.jobId, CANCELLABLE, { status: 'cancelled', at: now().toISOString() }))) {
          const current = (await deps.jobs.get(job.jobId)) ?? job;
          if (current.status !== 'cancelled') throw new Problem(409, `Batch job ${job.jobId} has ${current.status}; only a queued or running job can be cancelled.`);
        }
        return c.json(batchJobView((await deps.jobs.get(job.jobId)) ?? job));
      },
    )
    .route(
      {
        method: 'get',
        path: '/v1/batch-jobs/{jobId}/output',
        scope: 'read',
        tags: ['batch'],
        summary: 'The output of a succeeded job as NDJSON, in input order: {row, id?, predictionId, outputs} or {row, id?, error}',
        request: { params: params({ jobId: z.string() }) },
        responses: {
          200: { description: 'One row a line: {row, id?, predictionId, outputs} or {row, id?, error}', content: { 'application/x-ndjson': { schema: z.string() } } },
          ...problems(404, 409),
        },
      },
      async (c) => {
        const job = await jobOf(c.req.param('jobId'));
        if (job.status !== 'succeeded' || !job.output) {
          throw new Problem(409, `Batch job ${job.jobId} is ${job.status}; its output is there once it has succeeded.`, { extensions: { jobStatus: job.status } });
        }
        const stream = await deps.objects.readOutput(job.output.key);
        if (!stream) throw new Problem(404, `The output of batch job ${job.jobId} is gone (outputs are kept 30 days).`);
        return new Response(stream, { status: 200, headers: { 'content-type': 'application/x-ndjson' } });
      },
    ).app;

  /** Assembles a multipart upload before the job reads it; one that cannot be assembled is gone afterwards (aborted). */
  async function completeUpload(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void> {
    const completion = await deps.objects.completeUpload(key, uploadId, parts);
    if (completion.status === 'missing') {
      throw new Problem(400, `No multipart upload ${uploadId} is open at ${key}.`, {
        errors: [{ path: 'input/uploadId', message: 'no open batch upload with this id at input/key; get one from POST /v1/batch-uploads with sizeBytes' }],
      });
    }
    if (completion.status === 'invalid') {
      throw new Problem(400, `The parts do not assemble the upload (${completion.reason}); it was aborted, start a new one.`, {
        errors: [{ path: 'input/parts', message: completion.reason }],
      });
    }
  }

  /** A repeated idempotency key: the same body gets the same job (its plan sent again, should the first send have failed), another body a 409. */
  async function replay(job: BatchJob, requestHash: string): Promise<Response> {
    if (job.requestHash !== requestHash) {
      throw new Problem(409, `The idempotency key was used for batch job ${job.jobId} with a different request.`, {
        errors: [{ path: 'idempotencyKey', message: 'already used with another body' }],
      });
    }
    if (job.status === 'queued') await deps.dispatcher.send([{ kind: 'plan', jobId: job.jobId }]);
    return accepted(job);
  }
}

function accepted(job: BatchJob): Response {
  return new Response(JSON.stringify({ jobId: job.jobId, status: job.status }), {
    status: 202,
    headers: { 'content-type': 'application/json', location: `/v1/batch-jobs/${job.jobId}` },
  });
}

/** Inline records are JSON objects: they are NDJSON (and say so, or say nothing). */
function inlineFormat(body: BatchSubmit): BatchFormat {
  if (body.format !== undefined && body.format !== 'ndjson') {
    throw new Problem(
      400,
      `Inline records are JSON; a ${body.format === 'parquet' ? 'Parquet' : 'CSV'} input goes through an upload: POST /v1/batch-uploads, PUT the file, then {input: {key}}.`,
      {
        errors: [{ path: 'format', message: 'inline records are ndjson' }],
      },
    );
  }
  return 'ndjson';
}

/** The format of an uploaded input: as named, else from the upload key's extension; the two must agree. */
function inputFormat(body: BatchSubmit): BatchFormat {
  const key = (body.input as { key: string }).key;
  const fromKey = /\.(ndjson|csv|parquet)$/.exec(key)?.[1] as BatchFormat | undefined;
  const format = body.format ?? fromKey ?? 'ndjson';
  if (fromKey && fromKey !== format) {
    throw new Problem(400, `The upload ${key} was made for ${fromKey}, not ${format}.`, { errors: [{ path: 'format', message: `the upload is ${fromKey}` }] });
  }
  return format;
}

/**
 * The one version the whole job is scored with, fixed now: a chunk scored after an alias moved
 * must not answer with another model than the chunk before it. A named `version` of the
 * endpoint's model, else the named `variant`'s version, else the champion's (the largest weight).
 */
async function batchTarget(serving: Serving, endpoint: string, body: BatchSubmit): Promise<BatchTarget> {
  let routed;
  if (body.version !== undefined) routed = await routePinned(serving, endpoint, body.version);
  else {
    const served = await serving.endpoint(endpoint);
    if (!served) throw new Problem(404, `No endpoint ${endpoint}.`);
    const forced = body.variant ?? championVariant(served.record.config).name;
    routed = await routeRequest(serving, endpoint, { forced }).catch((error) => {
      if (error instanceof Problem && error.status === 400) throw new Problem(400, error.message, { errors: [{ path: 'variant', message: 'not a variant of the endpoint' }] });
      throw error;
    });
  }
  const plan = serving.recordsPlan(routed.version);
  if ('issues' in plan) {
    throw new Problem(400, `Batch rows are records, and ${routed.version.model} version ${routed.version.version} cannot take records.`, { errors: plan.issues });
  }
  return { variant: routed.variant, model: routed.version.model, version: routed.version.version };
}
