import { createServingApp, type ServingAppOptions } from '@flywheel/api';
import { createFunctionLogger, createPredictionLogSink, type AwsClients } from '@flywheel/aws';
import { HeldPredictionLog } from '@flywheel/core';
import { createServingDependencies } from './api.ts';

export interface EdgeResourceNames {
  registryTable: string;
  bucket: string;
  /** URL of the prediction-log queue (in the home region). */
  predictionLogs: string;
  /** Key of the unit hash, the API's: a unit must hash alike wherever it is served. */
  unitHashKey?: string;
}

/**
 * The edge function's composition root: the API's serving path over just the registry table and
 * the bucket, its prediction log held until the handler decides to send or discard it.
 */
export function createEdgeServing(clients: AwsClients, names: EdgeResourceNames, options: ServingAppOptions = {}) {
  const logger = options.logger ?? createFunctionLogger('edge');
  // The API replays what was spilled (see the sink's `replaysSpill`); the edge only spills. The
  // caller waits for the flush, so a queue that does not answer is given ~6 s, not the default ~20.
  const sink = createPredictionLogSink(
    clients,
    { queueUrl: names.predictionLogs, bucket: names.bucket, unitHashKey: names.unitHashKey },
    { replaysSpill: false, sendAttempts: 3, sendTimeoutMs: 2_000, logger },
  );
  const predictionLog = new HeldPredictionLog(sink);
  const { app, serving } = createServingApp({ ...createServingDependencies(clients, names), predictionLog }, { ...options, logger });
  return { app, serving, predictionLog };
}
