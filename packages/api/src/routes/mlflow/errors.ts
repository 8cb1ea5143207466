import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { TrackingError, jsonLogger, trackingErrorStatus, type Logger } from '@flywheel/core';
import { Problem } from '../../problem.ts';

/** MLflow's error body: `{error_code, message}`, with the HTTP status MLflow gives the code. */
function mlflowError(status: number, errorCode: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error_code: errorCode, message }), { status, headers: { 'content-type': 'application/json', ...headers } });
}

// What MLflow calls the failures Flywheel's auth, limits and body checks answer with.
const CODE_OF_STATUS: Record<number, string> = {
  400: 'INVALID_PARAMETER_VALUE',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'ENDPOINT_NOT_FOUND',
  413: 'INVALID_PARAMETER_VALUE',
  415: 'INVALID_PARAMETER_VALUE',
  409: 'RESOURCE_CONFLICT',
  422: 'INVALID_PARAMETER_VALUE',
  429: 'REQUEST_LIMIT_EXCEEDED',
};

/** The MLflow routes' onError: every failure leaves in MLflow's shape, so MLflow clients read it. */
export function handleMlflowError(error: unknown, c: Context, logger: Logger = jsonLogger): Response {
  if (error instanceof TrackingError) return mlflowError(trackingErrorStatus(error.code), error.code, error.message);
  if (error instanceof Problem) {
    const detail = error.errors?.length ? `${error.message} ${error.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}` : error.message;
    return mlflowError(error.status, CODE_OF_STATUS[error.status] ?? 'INTERNAL_ERROR', detail, error.headers);
  }
  if (error instanceof HTTPException) return mlflowError(error.status, CODE_OF_STATUS[error.status] ?? 'INTERNAL_ERROR', error.message);
  logger.error('unhandled error', { path: c.req.path, error: String(error), stack: (error as Error)?.stack });
  return mlflowError(500, 'INTERNAL_ERROR', 'The server failed to handle the request; it has been logged.');
}

export function endpointNotFound(c: Context): Response {
  return mlflowError(404, 'ENDPOINT_NOT_FOUND', `No API endpoint ${c.req.method} ${c.req.path}.`);
}
