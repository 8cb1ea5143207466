import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlpFixture } from '@flywheel/testing/test-models';
import { expectClose } from '@flywheel/testing/models';
import { startFunctionEnvironment, type FunctionEnvironment } from '@flywheel/testing/function-env';
import { installAwsLambdaGlobal, invokeHandler } from '@flywheel/testing/lambda-streaming.mjs';

// Lambda's runtime provides `awslambda` (response streaming) before it imports the handler's module.
installAwsLambdaGlobal();
const { handler } = await import('./api.ts');

interface Call {
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** An API Gateway HTTP API (payload 2.0) event, as API Gateway sends it for `$default`. */
function httpApiEvent(call: Call): APIGatewayProxyEventV2 {
  const binary = call.body instanceof Uint8Array;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: call.path,
    rawQueryString: call.query ?? '',
    cookies: [],
    headers: {
      accept: '*/*',
      host: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
      'user-agent': 'curl/8.5.0',
      'x-amzn-trace-id': 'Root=1-65f1c2a4-0d6a9c1f2b3e4d5f6a7b8c9d',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...(call.body !== undefined ? { 'content-length': String(binary ? (call.body as Uint8Array).byteLength : Buffer.byteLength(call.body as string)) } : {}),
      ...call.headers,
    },
    queryStringParameters: call.query ? Object.fromEntries(new URLSearchParams(call.query)) : undefined,
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      domainName: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'a1b2c3d4e5',
      http: { method: call.method, path: call.path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' },
      requestId: 'VqE1fhZ8DoEEJ2w=',
      routeKey: '$default',
      stage: '$default',
      time: '13/Mar/2024:10:15:32 +0000',
      timeEpoch: 1710324932000,
    },
    body: call.body === undefined ? undefined : binary ? Buffer.from(call.body as Uint8Array).toString('base64') : (call.body as string),
    isBase64Encoded: binary,
  };
}

/** A Lambda function URL event (also payload 2.0; its own domain, no stage, no API id). */
function functionUrlEvent(call: Call): LambdaFunctionURLEvent {
  const event = httpApiEvent(call);
  const domain = 'abcdefghijklmnopqrstuvwxyz123456.lambda-url.eu-west-1.on.aws';
  return {
    ...event,
    headers: { ...event.headers, host: domain },
    requestContext: { ...event.requestContext, apiId: 'abcdefghijklmnopqrstuvwxyz123456', domainName: domain, domainPrefix: 'abcdefghijklmnopqrstuvwxyz123456' },
  } as LambdaFunctionURLEvent;
}

const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'flywheel-production-Api',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:flywheel-production-Api',
  memoryLimitInMB: '2048',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
  logGroupName: '/aws/lambda/flywheel-production-Api',
  logStreamName: '2024/03/13/[$LATEST]abcdef0123456789',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

async function invoke(event: APIGatewayProxyEventV2 | LambdaFunctionURLEvent) {
  const { result } = await invokeHandler<APIGatewayProxyStructuredResultV2>(handler, event, context);
  const body = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64').toString() : (result.body ?? '');
  return { status: result.statusCode, headers: result.headers ?? {}, json: () => JSON.parse(body) };
}

describe('functions/api.ts handler', () => {
  let env: FunctionEnvironment;
  let auth: Record<string, string>;
  beforeAll(async () => {
    env = await startFunctionEnvironment();
    auth = { authorization: `Bearer ${env.adminKey}` };
  });
  afterAll(() => env?.stop());

  it('registers a model from a base64 body, configures an endpoint and predicts through API Gateway and the function URL', async () => {
    const fixture = mlpFixture();
    const registered = await invoke(
      httpApiEvent({
        method: 'POST',
        path: '/v1/models/lambda-mlp/versions',
        headers: { ...auth, 'content-type': 'application/octet-stream', 'flywheel-metadata': '{"lineage":{"via":"lambda"}}' },
        body: fixture.bytes,
      }),
    );
    expect(registered.status).toBe(201);
    expect(registered.json()).toMatchObject({ model: 'lambda-mlp', version: 1, lineage: { via: 'lambda' } });

    const config = JSON.stringify({ variants: [{ name: 'main', model: 'lambda-mlp', version: 1, weight: 100 }] });
    const created = await invoke(functionUrlEvent({ method: 'PUT', path: '/v1/endpoints/lambda', headers: { ...auth, 'content-type': 'application/json' }, body: config }));
    expect(created.status).toBe(201);
    expect(created.headers.etag).toMatch(/^"1-/);

    const body = JSON.stringify({ inputs: fixture.inputs, unit: 'user-1' });
    for (const event of [httpApiEvent, functionUrlEvent]) {
      const predicted = await invoke(event({ method: 'POST', path: '/v1/endpoints/lambda/predict', headers: { ...auth, 'content-type': 'application/json' }, body }));
      expect(predicted.status).toBe(200);
      expect(predicted.headers['flywheel-variant']).toBe('main');
      expectClose(predicted.json().outputs.probs, fixture.expected.probs);
    }

    const history = await invoke(httpApiEvent({ method: 'GET', path: '/v1/endpoints/lambda/history', query: 'limit=1', headers: auth }));
    expect(history.json().history).toHaveLength(1);
  });

  it('answers errors as problem+json, and health without a key', async () => {
    const malformed = await invoke(
      functionUrlEvent({ method: 'POST', path: '/v1/endpoints/lambda/predict', headers: { ...auth, 'content-type': 'application/json' }, body: '{"inputs":' }),
    );
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toBe('application/problem+json');
    expect((await invoke(httpApiEvent({ method: 'GET', path: '/v1/models' }))).status).toBe(401);
    expect((await invoke(functionUrlEvent({ method: 'GET', path: '/healthz' }))).json()).toEqual({ status: 'ok' });
  });
});
