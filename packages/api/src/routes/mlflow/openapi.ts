import { z } from 'zod';
import type { Scope } from '@flywheel/core';
import type { RouteDeclaration } from '../define-route.ts';
import { json, ok } from '../openapi.ts';

const mlflowErrorSchema = z.object({ error_code: z.string(), message: z.string() });
const mlflowError = (description: string) => ({ description, ...json(mlflowErrorSchema) });

/** Failures leave in MLflow's shape (handleMlflowError), the auth refusals too. */
const mlflowErrors = {
  400: mlflowError('INVALID_PARAMETER_VALUE or RESOURCE_ALREADY_EXISTS'),
  401: mlflowError('UNAUTHENTICATED'),
  403: mlflowError('PERMISSION_DENIED'),
  404: mlflowError('RESOURCE_DOES_NOT_EXIST or ENDPOINT_NOT_FOUND'),
  413: mlflowError('INVALID_PARAMETER_VALUE: the body is too large'),
  429: mlflowError('REQUEST_LIMIT_EXCEEDED'),
};

/**
 * A tracking API operation under /api/2.0/mlflow/: parameters in the JSON body of a POST or the
 * query string of a GET (what readParams reads them with), answers and errors in MLflow's shapes.
 */
export function mlflowOperation<P extends string>(
  scope: Scope,
  method: 'get' | 'post',
  path: P,
  summary: string,
  parameters: z.ZodObject,
  answer: z.ZodType,
  options: { audited?: boolean } = {},
): RouteDeclaration<`/api/2.0/mlflow/${P}`> {
  return {
    method,
    path: `/api/2.0/mlflow/${path}`,
    scope,
    ...options,
    tags: ['tracking (MLflow API 2.0)'],
    summary,
    description: "MLflow REST API 2.0: parameters in the JSON body of a POST or the query string of a GET, answers and errors in MLflow's shapes.",
    request: method === 'get' ? { query: parameters } : { body: { ...json(parameters), required: false } },
    responses: { 200: ok('As MLflow answers', answer), ...mlflowErrors },
  };
}
