import { z } from 'zod';
import type { Scope } from '@flywheel/core';
import type { Operation } from '../openapi-operations.ts';

const mlflowError = z.object({ error_code: z.string(), message: z.string() });

function mlflow(scope: Scope, method: 'get' | 'post', path: string, summary: string): Operation {
  return {
    method,
    path: `/api/2.0/mlflow/${path}`,
    tags: ['tracking (MLflow API 2.0)'],
    summary,
    description: 'MLflow REST API 2.0: parameters in the JSON body of a POST or the query string of a GET, answers and errors in MLflow\'s shapes.',
    'x-flywheel-scope': scope,
    security: [{ bearer: [] }],
    responses: {
      200: { description: 'As MLflow answers' },
      400: { description: 'INVALID_PARAMETER_VALUE or RESOURCE_ALREADY_EXISTS', content: { 'application/json': { schema: mlflowError } } },
      404: { description: 'RESOURCE_DOES_NOT_EXIST', content: { 'application/json': { schema: mlflowError } } },
    },
  };
}

/** The tracking API's operations. */
export const trackingOperations: Operation[] = [
  mlflow('deploy', 'post', 'experiments/create', 'Create an experiment {name, artifact_location?, tags?}'),
  mlflow('read', 'get', 'experiments/get', 'An experiment by experiment_id'),
  mlflow('read', 'get', 'experiments/get-by-name', 'An experiment by experiment_name'),
  mlflow('read', 'post', 'experiments/search', 'Search experiments {filter?, order_by?, max_results?, page_token?, view_type?}'),
  mlflow('read', 'get', 'experiments/search', 'Search experiments (query parameters)'),
  mlflow('deploy', 'post', 'experiments/update', 'Rename an experiment {experiment_id, new_name}'),
  mlflow('deploy', 'post', 'experiments/delete', 'Delete an experiment (restorable)'),
  mlflow('deploy', 'post', 'experiments/restore', 'Restore a deleted experiment'),
  mlflow('deploy', 'post', 'experiments/set-experiment-tag', 'Set a tag on an experiment'),
  mlflow('deploy', 'post', 'runs/create', 'Create a run {experiment_id, run_name?, start_time?, tags?}'),
  mlflow('read', 'get', 'runs/get', 'A run with its params, tags, latest metrics and dataset inputs'),
  mlflow('deploy', 'post', 'runs/update', 'Set a run\'s status, end_time or run_name'),
  mlflow('deploy', 'post', 'runs/delete', 'Delete a run (restorable)'),
  mlflow('deploy', 'post', 'runs/restore', 'Restore a deleted run'),
  mlflow('read', 'post', 'runs/search', "Search runs {experiment_ids, filter? (metrics.x > y AND params.p = 'v' AND tags.t = 'v' AND attributes.status = 'FINISHED'), order_by?, max_results?, page_token?, run_view_type?}"),
  mlflow('read', 'get', 'runs/search', 'Search runs (query parameters)'),
  mlflow('deploy', 'post', 'runs/log-metric', 'Log a metric point {run_id, key, value, timestamp, step?}'),
  mlflow('deploy', 'post', 'runs/log-parameter', 'Log a param {run_id, key, value}; a logged param cannot change'),
  mlflow('deploy', 'post', 'runs/log-batch', 'Log metrics, params and tags at once (1000 entries, 100 params, 100 tags at most)'),
  mlflow('deploy', 'post', 'runs/set-tag', 'Set a run tag'),
  mlflow('deploy', 'post', 'runs/delete-tag', 'Delete a run tag'),
  mlflow('read', 'get', 'metrics/get-history', 'Every logged point of a run\'s metric {run_id, metric_key}'),
  mlflow('read', 'get', 'artifacts/list', 'The files under a run\'s artifact root in S3 {run_id, path?}'),
  mlflow('deploy', 'post', 'registered-models/create', 'Create a registered model {name, description?, tags?}'),
  mlflow('read', 'get', 'registered-models/get', 'A registered model with its latest version'),
  mlflow('read', 'get', 'registered-models/search', "Search registered models {filter? (name LIKE 'x%')}"),
  mlflow('read', 'post', 'registered-models/get-latest-versions', 'The latest version of a registered model'),
  mlflow('deploy', 'post', 'model-versions/create', 'Register a run\'s ONNX artifact {name, source: runs:/<run_id>/<path> or s3://…, run_id?} as a Flywheel version'),
  mlflow('read', 'get', 'model-versions/get', 'A model version {name, version}'),
  mlflow('read', 'get', 'model-versions/search', "Search model versions {filter? (name = 'm' or run_id = 'r')}"),
];
