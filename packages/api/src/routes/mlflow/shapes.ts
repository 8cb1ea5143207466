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
