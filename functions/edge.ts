import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontRequestResult, Context } from 'aws-lambda';
import { handle } from 'hono/lambda-edge';
import { createServingApp, type ServingAppOptions } from '@flywheel/api';
import { createAwsClients, createFunctionLogger, createPredictionLogSink, createServingDependencies, type AwsClients } from '@flywheel/aws';
import { HeldPredictionLog } from '@flywheel/core';

export interface EdgeResourceNames {
  registryTable: string;
  bucket: string;
  /** URL of the prediction-log queue (in the home region). */
  predictionLogs: string;
  /** Key of the unit hash, the API's: a unit must hash alike wherever it is served. */
  unitHashKey?: string;
}

// A Lambda@Edge response body may be at most 1 MB (base64 or text); bigger answers come from the origin.
const MAX_EDGE_BODY_BYTES = 1_000_000;
const PREDICT_PATH = /^\/v1\/endpoints\/[^/]+\/predict$/;

/**
 * CloudFront origin-request handler: `POST /v1/endpoints/{endpoint}/predict` is answered here,
 * from models cached in this instance, by the same serving path as the API (route → run → log →
 * shadows); every other request, and a predict request whose body CloudFront truncated, goes on
 * to the origin. Before it returns, the handler waits for the request's shadow runs (for a
 * while) and sends the log: the instance may be frozen, or never thawed, once it has answered.
 */
export function createEdgeHandler(clients: AwsClients, names: EdgeResourceNames, options: ServingAppOptions = {}) {
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
  const serve = handle(app);
  return async (event: CloudFrontRequestEvent, context: Context): Promise<CloudFrontRequestResult> => {
    const request = event.Records[0].cf.request;
    if (!servedAtEdge(request)) return request;
    try {
      const response = await serve(event as Parameters<typeof serve>[0], context);
      if ('status' in response && new TextEncoder().encode(response.body ?? '').byteLength > MAX_EDGE_BODY_BYTES) {
        // Too large to answer from here: the origin serves (and logs, and mirrors) it instead.
        await serving.awaitShadows();
        predictionLog.discard();
        return request;
      }
      return response as CloudFrontRequestResult;
    } finally {
      await serving.settle();
    }
  };
}

function servedAtEdge(request: CloudFrontRequest): boolean {
  return request.method === 'POST' && PREDICT_PATH.test(request.uri) && !request.body?.inputTruncated;
}

/**
 * Lambda@Edge has no environment variables: the build replaces these exact `process.env.X`
 * expressions with the deployed names (sst.config.ts, esbuild `define`), so they must stay
 * literal. The registry table and the prediction-log queue live in the stack's home region, not
 * the edge location's.
 */
function bundledConfiguration(): { names: EdgeResourceNames; region: string | undefined } {
  const registryTable = process.env.FLYWHEEL_TABLE_REGISTRY;
  const bucket = process.env.FLYWHEEL_BUCKET;
  const predictionLogs = process.env.FLYWHEEL_QUEUE_PREDICTION_LOGS;
  if (!registryTable || !bucket || !predictionLogs) {
    throw new Error('FLYWHEEL_TABLE_REGISTRY, FLYWHEEL_BUCKET and FLYWHEEL_QUEUE_PREDICTION_LOGS were not bundled into the edge function');
  }
  const unitHashKey = process.env.FLYWHEEL_UNIT_HASH_KEY || undefined;
  return { names: { registryTable, bucket, predictionLogs, unitHashKey }, region: process.env.FLYWHEEL_HOME_REGION };
}

let edgeHandler: ReturnType<typeof createEdgeHandler> | undefined;

/** Lambda@Edge entry; built on the first invocation, not at import. */
export const handler = (event: CloudFrontRequestEvent, context: Context) => {
  if (!edgeHandler) {
    const { names, region } = bundledConfiguration();
    edgeHandler = createEdgeHandler(createAwsClients({ region }), names);
  }
  return edgeHandler(event, context);
};
