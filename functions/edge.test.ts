import { readFileSync } from 'node:fs';
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '@flywheel/api';
import { createApiDependencies } from '@flywheel/aws';
import { bucket, tables } from '@flywheel/infra';
import { embeddingFixture } from '../packages/inference/src/test-models.ts';
import { asBody, expectClose } from '../test/support/models.ts';
import { startFunctionEnvironment, type FunctionEnvironment } from '../test/support/function-env.ts';
import { handler } from './edge.ts';

/** A CloudFront origin-request event as Lambda@Edge receives it, body included (`includeBody`). */
function originRequest(method: string, uri: string, options: { headers?: Record<string, string>; body?: string; truncated?: boolean } = {}): CloudFrontRequestEvent {
  const headers: CloudFrontRequest['headers'] = {
    host: [{ key: 'Host', value: 'abcdefghijklmnopqrstuvwxyz123456.lambda-url.eu-west-1.on.aws' }],
    'user-agent': [{ key: 'User-Agent', value: 'Amazon CloudFront' }],
    via: [{ key: 'Via', value: '2.0 2afae0d44e2540f472c0635ab62c232b.cloudfront.net (CloudFront)' }],
    'x-forwarded-for': [{ key: 'X-Forwarded-For', value: '203.0.113.178' }],
  };
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = [{ key: name, value }];
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: 'd111111abcdef8.cloudfront.net',
            distributionId: 'EDFDVBD6EXAMPLE',
            eventType: 'origin-request',
            requestId: '4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==',
          },
          request: {
            clientIp: '203.0.113.178',
            method,
            uri,
            querystring: '',
            headers,
            origin: {
              custom: {
                customHeaders: {},
                domainName: 'abcdefghijklmnopqrstuvwxyz123456.lambda-url.eu-west-1.on.aws',
                keepaliveTimeout: 5,
                path: '',
                port: 443,
                protocol: 'https',
                readTimeout: 30,
                sslProtocols: ['TLSv1.2'],
              },
            },
            ...(options.body !== undefined
              ? { body: { action: 'read-only', encoding: 'base64', inputTruncated: options.truncated ?? false, data: Buffer.from(options.body).toString('base64') } }
              : {}),
          },
        },
      },
    ],
  } as CloudFrontRequestEvent;
}

const context = { functionName: 'us-east-1.flywheel-production-Edge', awsRequestId: 'b1c2d3e4', getRemainingTimeInMillis: () => 5000 } as unknown as Context;

describe('functions/edge.ts origin-request handler', () => {
  let env: FunctionEnvironment;
  let authorization: string;
  const fixture = embeddingFixture();

  beforeAll(async () => {
    env = await startFunctionEnvironment();
    authorization = `Bearer ${env.adminKey}`;
    const api = createApp(createApiDependencies(env.clients, env.names));
    const registered = await api.request('/v1/models/embed/versions', {
      method: 'POST',
      body: asBody(fixture.bytes),
      headers: { authorization, 'content-type': 'application/octet-stream' },
    });
    expect(registered.status).toBe(201);
    const config = { variants: [{ name: 'main', model: 'embed', version: 1, weight: 100 }] };
    const created = await api.request('/v1/endpoints/edge', { method: 'PUT', body: JSON.stringify(config), headers: { authorization, 'content-type': 'application/json' } });
    expect(created.status).toBe(201);
  });
  afterAll(() => env?.stop());

  it('answers predictions at the edge from the registry and the cached model', async () => {
    const body = JSON.stringify({ inputs: fixture.inputs, id: 'edge-1' });
    const result = (await handler(
      originRequest('POST', '/v1/endpoints/edge/predict', { headers: { Authorization: authorization, 'Content-Type': 'application/json' }, body }),
      context,
    )) as CloudFrontResultResponse;
    expect(result.status).toBe('200');
    expect(result.headers!['content-type'][0].value).toMatch(/^application\/json/);
    expect(result.headers!['flywheel-variant']).toEqual([{ key: 'flywheel-variant', value: 'main' }]);
    const answer = JSON.parse(result.body!);
    expect(answer).toMatchObject({ id: 'edge-1', endpoint: 'edge', model: 'embed', version: 1 });
    expectClose(answer.outputs.prob, fixture.expected.prob);

    const unauthorized = (await handler(originRequest('POST', '/v1/endpoints/edge/predict', { headers: { 'Content-Type': 'application/json' }, body }), context)) as CloudFrontResultResponse;
    expect(unauthorized.status).toBe('401');
  });

  it('passes every other request, and truncated bodies, on to the origin unchanged', async () => {
    for (const event of [
      originRequest('GET', '/v1/models', { headers: { Authorization: authorization } }),
      originRequest('PUT', '/v1/endpoints/edge', { headers: { Authorization: authorization }, body: '{}' }),
      originRequest('POST', '/v1/endpoints/edge/predict', { headers: { Authorization: authorization }, body: '{"inputs":', truncated: true }),
    ]) {
      expect(await handler(event, context)).toBe(event.Records[0].cf.request);
    }
  });

  it('reads the names the build bundles, under the variables infra/ declares', () => {
    const source = readFileSync(new URL('./edge.ts', import.meta.url), 'utf8');
    for (const envVar of [tables.registry.envVar, bucket.envVar]) expect(source).toContain(`process.env.${envVar}`);
  });
});
