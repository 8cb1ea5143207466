import { handle } from 'hono/aws-lambda';
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import { createApiApp } from '@flywheel/api';
import { createAwsClients, createFunctionLogger, resourceNamesFromEnv } from '@flywheel/aws';
import { createApiDependencies, createDeployedFeatureStore } from '@flywheel/deploy';
import { inferenceBackend } from '@flywheel/inference';

let built: { serving: ReturnType<typeof createApiApp>['serving']; handler: ReturnType<typeof handle> } | undefined;

/**
 * API Gateway HTTP API v2 and Function URL events. The app is built on the first invocation, not
 * at import; shadow runs are awaited (bounded) and buffered prediction logs flushed before
 * returning, because a frozen container would hold them until its next request (or lose them).
 */
export const handler = async (event: LambdaEvent, context: LambdaContext) => {
  if (!built) {
    const logger = createFunctionLogger('api');
    const clients = createAwsClients();
    const names = resourceNamesFromEnv();
    const deps = createApiDependencies(clients, names, { logger });
    // The feature store: online in DynamoDB, Parquet in S3, historical joins on Athena; an erasure by entity reaches it.
    const features = createDeployedFeatureStore(clients, names);
    const { app, serving } = createApiApp(features ? { ...deps, features, ...(deps.erasures ? { erasures: { ...deps.erasures, features } } : {}) } : deps, { logger });
    built = { serving, handler: handle(app) };
    // A cold container's first predict needs the inference runtime (onnxruntime-node's library:
    // dlopen and its start, tens of ms) only after its key, endpoint, version and artifact
    // lookups. Started on the next macrotask, it loads while those wait on the network. A
    // failure here is left to that predict's own load, which reports it.
    setTimeout(() => void inferenceBackend().catch(() => undefined), 0);
  }
  try {
    return await built.handler(event, context);
  } finally {
    await built.serving.settle();
  }
};
