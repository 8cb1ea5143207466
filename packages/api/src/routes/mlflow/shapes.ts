import { z } from 'zod';
import type { TrackingExperiment, TrackingRun } from '@flywheel/core';

/** The JSON MLflow's REST API gives for entities (snake_case, tags as key/value lists, int64 as numbers). */

const keyValues = (record: Readonly<Record<string, string>>) => Object.entries(record).map(([key, value]) => ({ key, value }));

export function experimentJson(experiment: TrackingExperiment) {
  return {
    experiment_id: experiment.experimentId,
    name: experiment.name,
    artifact_location: experiment.artifactLocation,
    lifecycle_stage: experiment.lifecycleStage,
    last_update_time: experiment.lastUpdateTime,
    creation_time: experiment.creationTime,
    tags: keyValues(experiment.tags),
  };
}

export function runInfoJson(run: TrackingRun) {
  return {
    run_id: run.runId,
    run_uuid: run.runId,
    run_name: run.runName,
    experiment_id: run.experimentId,
    user_id: run.userId,
    status: run.status,
    start_time: run.startTime,
    ...(run.endTime !== undefined ? { end_time: run.endTime } : {}),
    artifact_uri: run.artifactUri,
    lifecycle_stage: run.lifecycleStage,
  };
}

export function runJson(run: TrackingRun) {
  return {
    info: runInfoJson(run),
    data: {
      metrics: Object.values(run.metrics).map(({ key, value, timestamp, step }) => ({ key, value, timestamp, step })),
      params: keyValues(run.params),
      tags: keyValues(run.tags),
    },
    inputs: {
      dataset_inputs: (run.datasets ?? []).map((dataset) => ({
        tags: dataset.context ? [{ key: 'mlflow.data.context', value: dataset.context }] : [],
        dataset: {
          name: dataset.name,
          digest: dataset.digest,
          source_type: dataset.sourceType,
          source: dataset.source,
          ...(dataset.schema ? { schema: dataset.schema } : {}),
          ...(dataset.profile ? { profile: dataset.profile } : {}),
        },
      })),
    },
  };
}

// The same shapes as schemas, for the OpenAPI document.
const keyValueSchema = z.object({ key: z.string(), value: z.string() });

export const experimentSchema = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string(),
  lifecycle_stage: z.enum(['active', 'deleted']),
  last_update_time: z.number(),
  creation_time: z.number(),
  tags: z.array(keyValueSchema),
});

export const runInfoSchema = z.object({
  run_id: z.string(),
  run_uuid: z.string(),
  run_name: z.string(),
  experiment_id: z.string(),
  user_id: z.string(),
  status: z.string(),
  start_time: z.number(),
  end_time: z.number().optional(),
  artifact_uri: z.string(),
  lifecycle_stage: z.enum(['active', 'deleted']),
});

export const metricSchema = z.object({ key: z.string(), value: z.number(), timestamp: z.number(), step: z.number() });

export const runSchema = z.object({
  info: runInfoSchema,
  data: z.object({ metrics: z.array(metricSchema), params: z.array(keyValueSchema), tags: z.array(keyValueSchema) }),
  inputs: z.object({
    dataset_inputs: z.array(
      z.object({
        tags: z.array(keyValueSchema),
        dataset: z.object({ name: z.string(), digest: z.string(), source_type: z.string(), source: z.string(), schema: z.string().optional(), profile: z.string().optional() }),
      }),
    ),
  }),
});

export const modelVersionSchema = z.object({
  name: z.string(),
  version: z.string(),
  creation_timestamp: z.number(),
  last_updated_timestamp: z.number(),
  current_stage: z.enum(['None', 'Staging', 'Production', 'Archived']),
  description: z.string(),
  source: z.string(),
  run_id: z.string(),
  status: z.literal('READY'),
  tags: z.array(keyValueSchema),
});

export const registeredModelSchema = z.object({
  name: z.string(),
  creation_timestamp: z.number(),
  last_updated_timestamp: z.number(),
  description: z.string(),
  latest_versions: z.array(modelVersionSchema),
  tags: z.array(keyValueSchema),
});

/** What the calls that change something without returning it answer: `{}`. */
export const emptySchema = z.strictObject({});
