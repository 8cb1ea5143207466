import { appendRunLog, datasetRef, retrainRequestedEvent, trainParamsSchema, type DatasetVersion, type RetrainPorts, type Run } from '@flywheel/core';
import { DatasetError } from './dataset.ts';
import { championOf, registerDataset, runDataset, trainingRows, type RunDatasetDependencies } from './run-dataset.ts';
import { RunFailure } from './run-failure.ts';

export interface ExternalRunDependencies extends RunDatasetDependencies {
  readonly retrain: Pick<RetrainPorts, 'runs' | 'events'>;
  readonly now?: () => Date;
}

/**
 * The train function's part in a webhook run: it assembles the dataset the built-in trainer would
 * train on (or takes the version the run names), registers it, records it on the run and then asks
 * for the training with `retrain.requested` carrying that dataset version — which the events
 * function hands to the webhook with a presigned download. A run whose rows cannot be assembled
 * (a model the built-in trainer cannot shape, no labelled rows) is requested without a dataset:
 * the pipeline may have data of its own.
 */
export async function prepareExternalRun(deps: ExternalRunDependencies, run: Run): Promise<Run> {
  if (run.status !== 'queued') return run;
  const now = deps.now ?? (() => new Date());
  let logs = run.logs;
  const log = (line: string) => (logs = appendRunLog(logs, `${now().toISOString()} ${line}`));
  let dataset: DatasetVersion | undefined;
  try {
    const params = trainParamsSchema.parse(run.params ?? {});
    const champion = await championOf(deps, run);
    const rows = await trainingRows(deps, run, params, champion, now(), log);
    dataset = await registerDataset(deps, run, { features: champion.shape.features, task: champion.shape.task, examples: rows.examples }, rows, now().toISOString());
    log(
      dataset
        ? `dataset ${dataset.name}:${dataset.version} (sha256 ${dataset.sha256.slice(0, 12)}) goes to the webhook trainer`
        : 'no labelled rows: the webhook trainer gets no dataset',
    );
  } catch (error) {
    if (!(error instanceof RunFailure || error instanceof DatasetError)) throw error;
    log(`no dataset for the webhook trainer: ${error.message}`);
  }
  const updated = (await deps.retrain.runs.update(run.runId, ['queued'], { logs, ...(dataset ? { dataset: runDataset(dataset) } : {}) })) ?? run;
  const event = await retrainRequestedEvent(
    {
      model: run.model,
      runId: run.runId,
      ...(run.endpoint ? { endpoint: run.endpoint } : {}),
      trigger: run.trigger,
      trainer: run.trainer,
      ...(dataset ? { dataset: datasetRef(dataset) } : {}),
    },
    // As the coordinator requests a built-in run: one request per attempt.
    { time: run.createdAt, dedupeKey: `request/${run.attempts}` },
  );
  await deps.retrain.events.publish(event);
  return updated;
}
