import { z } from 'zod';
import { sha256Hex } from '../auth/api-key.ts';
import { BATCH_FORMATS, type BatchFormat, type BatchJob, type BatchTarget } from './job.ts';

/** Most rows a chunk may have: a chunk is one request through the serving path, which takes 10,000. */
export const MAX_ROWS_PER_CHUNK = 10_000;
export const DEFAULT_ROWS_PER_CHUNK = 1_000;

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** The parts of a multipart upload as their PUTs answered (as a model's registration names them). */
export const uploadedPartsSchema = z
  .array(z.strictObject({ partNumber: z.int().min(1).max(10_000), etag: z.string().min(1).max(256) }))
  .min(1)
  .max(10_000);

/** `POST /v1/endpoints/{endpoint}/batch`. */
export const batchSubmitSchema = z
  .strictObject({
    input: z.union([
      z
        .strictObject({
          key: z.string().min(1).max(1024),
          /** A multipart upload's id and its parts: the submission assembles it first. */
          uploadId: z.string().min(1).max(1024).optional(),
          parts: uploadedPartsSchema.optional(),
        })
        .refine((input) => (input.uploadId === undefined) === (input.parts === undefined), {
          path: ['parts'],
          message: 'uploadId and parts go together: the parts of that multipart upload',
        }),
      z.strictObject({ records: z.array(z.record(z.string(), z.unknown())).min(1) }),
    ]),
    format: z.enum(BATCH_FORMATS).optional(),
    variant: z.string().min(1).max(256).optional(),
    version: z.int().min(1).optional(),
    idempotencyKey: z.string().regex(IDEMPOTENCY_KEY, 'must be 1 to 200 printable characters without spaces').optional(),
    /** A field of each row taken as the row's id in the output (and not passed to the model). */
    idField: z.string().min(1).max(200).optional(),
    rowsPerChunk: z.int().min(1).max(MAX_ROWS_PER_CHUNK).optional(),
  })
  .refine((body) => body.variant === undefined || body.version === undefined, 'name a variant or a version, not both');
export type BatchSubmit = z.output<typeof batchSubmitSchema>;

/**
 * The job id: random, or derived from the endpoint and idempotency key, so that a repeated
 * submission finds the job the first one created (and the request hash tells whether it was the same).
 */
export async function batchJobId(endpoint: string, idempotencyKey: string | undefined): Promise<string> {
  if (idempotencyKey === undefined) return `bj-${crypto.randomUUID().replaceAll('-', '')}`;
  return `bj-${(await sha256Hex(`batch\n${endpoint}\n${idempotencyKey}`)).slice(0, 32)}`;
}

/** A hash of a submission (without its idempotency key), the same for the same body whatever its key order. */
export function batchRequestHash(endpoint: string, body: BatchSubmit): Promise<string> {
  const { idempotencyKey: _key, ...rest } = body;
  return sha256Hex(`${endpoint}\n${canonicalJson(rest)}`);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

export function newBatchJob(fields: {
  jobId: string;
  endpoint: string;
  target: BatchTarget;
  format: BatchFormat;
  inputKey: string;
  idField?: string;
  rowsPerChunk?: number;
  requestHash: string;
  now: Date;
}): BatchJob {
  return {
    jobId: fields.jobId,
    endpoint: fields.endpoint,
    target: fields.target,
    status: 'queued',
    format: fields.format,
    inputKey: fields.inputKey,
    ...(fields.idField === undefined ? {} : { idField: fields.idField }),
    rowsPerChunk: fields.rowsPerChunk ?? DEFAULT_ROWS_PER_CHUNK,
    rows: { done: 0, failed: 0 },
    chunks: { done: 0 },
    createdAt: fields.now.toISOString(),
    errors: [],
    requestHash: fields.requestHash,
  };
}
