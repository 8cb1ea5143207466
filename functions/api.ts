import type {} from 'aws-lambda';
import { streamHandle } from 'hono/aws-lambda';
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import { createApiApp } from '@flywheel/api';
import { createAwsClients, createFunctionLogger, resourceNamesFromEnv } from '@flywheel/aws';
import { createApiDependencies, createDeployedFeatureStore } from '@flywheel/deploy';
import { inferenceBackend } from '@flywheel/inference';

type StreamingHandler = (event: LambdaEvent, responseStream: awslambda.HttpResponseStream, context: LambdaContext) => Promise<void>;

let built: { serving: ReturnType<typeof createApiApp>['serving']; respond: StreamingHandler } | undefined;

/**
 * Function URL events, answered as a response stream (the URL's invoke mode is RESPONSE_STREAM):
 * the caller has the whole response once the stream ends, and only then are the shadow runs
 * awaited (bounded) and the buffered prediction log flushed — still inside the invocation, because
 * a frozen container would hold them until its next request (or lose them), but no longer inside
 * the caller's wait. The app is built on the first invocation, not at import.
 */
export const handler = awslambda.streamifyResponse(async (event: LambdaEvent, responseStream: awslambda.HttpResponseStream, context: LambdaContext) => {
  if (!built) {
    const logger = createFunctionLogger('api');
    const clients = createAwsClients();
    const names = resourceNamesFromEnv();
    const deps = createApiDependencies(clients, names, { logger });
    // The feature store: online in DynamoDB, Parquet in S3, historical joins on Athena; an erasure by entity reaches it.
    const features = createDeployedFeatureStore(clients, names);
    const { app, serving } = createApiApp(features ? { ...deps, features, ...(deps.erasures ? { erasures: { ...deps.erasures, features } } : {}) } : deps, { logger });
    // Typed by hono as a buffered handler; what it returns is the streamified (event, stream, context) one.
    built = { serving, respond: streamHandle(app) as unknown as StreamingHandler };
    // A cold container's first predict needs the inference runtime (onnxruntime-node's library:
    // dlopen and its start, tens of ms) only after its key, endpoint, version and artifact
    // lookups. Started on the next macrotask, it loads while those wait on the network. A
    // failure here is left to that predict's own load, which reports it.
    setTimeout(() => void inferenceBackend().catch(() => undefined), 0);
  }
  try {
    // Ends the stream (the response) when the app's response body has been written.
    await built.respond(event, responseStream, context);
  } finally {
    await built.serving.settle();
  }
});
