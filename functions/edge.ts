import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontRequestResult, Context } from 'aws-lambda';
import { handle } from 'hono/lambda-edge';
import { createServingApp, type ServingAppOptions } from '@flywheel/api';
import { createAwsClients, createServingDependencies, type AwsClients } from '@flywheel/aws';

export interface EdgeResourceNames {
  registryTable: string;
  bucket: string;
}

// A Lambda@Edge response body may be at most 1 MB (base64 or text); bigger answers come from the origin.
const MAX_EDGE_BODY_BYTES = 1_000_000;
const PREDICT_PATH = /^\/v1\/endpoints\/[^/]+\/predict$/;

/**
 * CloudFront origin-request handler: `POST /v1/endpoints/{endpoint}/predict` is answered here,
 * from models cached in this instance, by the same routes, auth and caches as the API; every
 * other request, and a predict request whose body CloudFront truncated, goes on to the origin.
 */
export function createEdgeHandler(clients: AwsClients, names: EdgeResourceNames, options: ServingAppOptions = {}) {
  const serve = handle(createServingApp(createServingDependencies(clients, names), options));
  return async (event: CloudFrontRequestEvent, context: Context): Promise<CloudFrontRequestResult> => {
    const request = event.Records[0].cf.request;
    if (!servedAtEdge(request)) return request;
    const response = await serve(event as Parameters<typeof serve>[0], context);
    // Too large to answer from here; the origin runs the same prediction. (It is logged by both.)
    if ('status' in response && new TextEncoder().encode(response.body ?? '').byteLength > MAX_EDGE_BODY_BYTES) return request;
    return response as CloudFrontRequestResult;
  };
}

function servedAtEdge(request: CloudFrontRequest): boolean {
  return request.method === 'POST' && PREDICT_PATH.test(request.uri) && !request.body?.inputTruncated;
}

/**
 * Lambda@Edge has no environment variables: the build replaces these exact `process.env.X`
 * expressions with the deployed names (sst.config.ts, esbuild `define`), so they must stay
 * literal. The registry table lives in the stack's home region, not the edge location's.
 */
function bundledConfiguration(): { names: EdgeResourceNames; region: string | undefined } {
  const registryTable = process.env.FLYWHEEL_TABLE_REGISTRY;
  const bucket = process.env.FLYWHEEL_BUCKET;
  if (!registryTable || !bucket) throw new Error('FLYWHEEL_TABLE_REGISTRY and FLYWHEEL_BUCKET were not bundled into the edge function');
  return { names: { registryTable, bucket }, region: process.env.FLYWHEEL_HOME_REGION };
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
