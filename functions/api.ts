import { handle } from 'hono/aws-lambda';
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import { createApp, type ApiDependencies } from '@flywheel/api';
import { createApiDependencies, createAwsClients, resourceNamesFromEnv } from '@flywheel/aws';

let built: { deps: ApiDependencies; handler: ReturnType<typeof handle> } | undefined;

/**
 * API Gateway HTTP API v2 and Function URL events. The app is built on the first invocation, not
 * at import; buffered prediction logs are flushed before returning, because a frozen container
 * would hold them until its next request (or lose them).
 */
export const handler = async (event: LambdaEvent, context: LambdaContext) => {
  if (!built) {
    const deps = createApiDependencies(createAwsClients(), resourceNamesFromEnv());
    built = { deps, handler: handle(createApp(deps)) };
  }
  try {
    return await built.handler(event, context);
  } finally {
    await built.deps.predictionLog?.flush();
  }
};
