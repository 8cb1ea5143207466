import { readFileSync } from 'node:fs';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { CloudFrontResultResponse, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '@flywheel/api';
import { createApiDependencies, createMonitorHandler } from '@flywheel/deploy';
import { decodePredictionLogBatch } from '@flywheel/core';
import { floatTensor, tensorType, writeModel } from '@flywheel/inference';
import { bucket, queues, tables } from '@flywheel/infra';
import { embeddingFixture } from '@flywheel/testing/test-models';
import { lambdaContext, sqsEvent } from '@flywheel/testing/monitor-fixtures';
import { asBody, expectClose } from '@flywheel/testing/models';
import { startFunctionEnvironment, type FunctionEnvironment } from '@flywheel/testing/function-env';
import { originRequestEvent } from '@flywheel/testing/lambda-events';
import { handler } from './edge.ts';

const context = { functionName: 'us-east-1.flywheel-production-Edge', awsRequestId: 'b1c2d3e4', getRemainingTimeInMillis: () => 5000 } as unknown as Context;

describe('functions/edge.ts origin-request handler', () => {
  let env: FunctionEnvironment;
  let authorization: string;
  let api: ReturnType<typeof createApp>;
  const fixture = embeddingFixture();
  const call = (path: string, init: { method?: string; json?: unknown } = {}) =>
    api.request(path, {
      method: init.method ?? 'GET',
      headers: { authorization, 'content-type': 'application/json' },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });

  beforeAll(async () => {
    env = await startFunctionEnvironment();
    authorization = `Bearer ${env.adminKey}`;
    api = createApp(createApiDependencies(env.clients, env.names));
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

  /** The log messages in the queue now (received, so hidden from the next call). */
  async function queuedLogs(): Promise<{ messageId: string; body: string }[]> {
    const messages: { messageId: string; body: string }[] = [];
    for (;;) {
      const { Messages = [] } = await env.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: env.names.queues.predictionLogs, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) return messages;
      messages.push(...Messages.map((m) => ({ messageId: m.MessageId!, body: m.Body! })));
    }
  }

  it('answers predictions at the edge from the registry and the cached model', async () => {
    const body = JSON.stringify({ inputs: fixture.inputs, id: 'edge-1' });
    const result = (await handler(
      originRequestEvent({ method: 'POST', path: '/v1/endpoints/edge/predict', headers: { Authorization: authorization, 'Content-Type': 'application/json' }, body }),
      context,
    )) as CloudFrontResultResponse;
    expect(result.status).toBe('200');
    expect(result.headers!['content-type'][0].value).toMatch(/^application\/json/);
    expect(result.headers!['flywheel-variant']).toEqual([{ key: 'flywheel-variant', value: 'main' }]);
    const answer = JSON.parse(result.body!);
    expect(answer).toMatchObject({ id: 'edge-1', endpoint: 'edge', model: 'embed', version: 1 });
    expectClose(answer.outputs.prob, fixture.expected.prob);

    const unauthorized = (await handler(
      originRequestEvent({ method: 'POST', path: '/v1/endpoints/edge/predict', headers: { 'Content-Type': 'application/json' }, body }),
      context,
    )) as CloudFrontResultResponse;
    expect(unauthorized.status).toBe('401');
  });

  it('passes every other request, and truncated bodies, on to the origin unchanged', async () => {
    for (const event of [
      originRequestEvent({ method: 'GET', path: '/v1/models', headers: { Authorization: authorization } }),
      originRequestEvent({ method: 'PUT', path: '/v1/endpoints/edge', headers: { Authorization: authorization }, body: '{}' }),
      originRequestEvent({ method: 'POST', path: '/v1/endpoints/edge/predict', headers: { Authorization: authorization }, body: '{"inputs":', truncated: true }),
    ]) {
      expect(await handler(event, context)).toBe(event.Records[0].cf.request);
    }
  });

  it('logs what it answers to the queue before returning, so the monitor counts it into the windows; shadows run too', async () => {
    // The embedding model's ids are item codes: a tensor request sends codes, the log keeps names.
    const items = ['shoes', 'hats', 'bags', 'socks', 'belts'];
    const features = [
      { name: 'first', kind: 'categorical', input: 'ids', index: 0, categories: items },
      { name: 'second', kind: 'categorical', input: 'ids', index: 1, categories: items },
      ...[0, 1, 2].map((index) => ({ name: `dense${index}`, kind: 'numerical', input: 'dense', index })),
    ];
    const registered = await api.request('/v1/models/items/versions', {
      method: 'POST',
      body: asBody(fixture.bytes),
      headers: { authorization, 'content-type': 'application/octet-stream', 'flywheel-metadata': JSON.stringify({ features }) },
    });
    expect(registered.status).toBe(201);
    const item = (i: number) => items[(i * 7) % 5];
    const baseline = Array.from({ length: 200 }, (_, i) => ({ first: item(i), second: item(i + 2), dense0: (i % 10) / 10, dense1: -(i % 7) / 7, dense2: (i % 3) - 1 }));
    expect((await call('/v1/models/items/versions/1/baseline', { method: 'PUT', json: { records: baseline } })).status).toBe(200);
    const config = { variants: [{ name: 'main', model: 'items', version: 1, weight: 100 }], shadows: [{ name: 'mirror', model: 'items', version: 1, percent: 100 }] };
    expect((await call('/v1/endpoints/edge-logged', { method: 'PUT', json: config })).status).toBe(201);

    const requests = 12;
    for (let i = 0; i < requests; i++) {
      const inputs = {
        ids: [
          [(i * 7) % 5, (i * 7 + 14) % 5],
          [(i * 3) % 5, 4],
        ],
        dense: [
          [0.1 * (i % 10), -0.5, 0],
          [0.3, -1 / 7, 1],
        ],
      };
      const body = JSON.stringify({ id: `edge-log-${i}`, unit: `visitor-${i}`, inputs });
      const result = (await handler(
        originRequestEvent({ method: 'POST', path: '/v1/endpoints/edge-logged/predict', headers: { Authorization: authorization, 'Content-Type': 'application/json' }, body }),
        context,
      )) as CloudFrontResultResponse;
      expect(result.status).toBe('200');
    }

    // Nothing waits here: what the handler logged is in the queue once it has returned.
    const messages = await queuedLogs();
    const monitor = createMonitorHandler(env.clients, env.names);
    expect(await monitor(sqsEvent(messages), lambdaContext())).toEqual({ batchItemFailures: [] });

    const drift = await call('/v1/endpoints/edge-logged/drift');
    expect(drift.status, await drift.clone().text()).toBe(200);
    const report = (await drift.json()) as { window: { count: number }; health: { requests: number; errors: number }; quality: { newCategories: unknown[] } };
    expect(report.window.count).toBe(2 * requests);
    expect(report.health).toMatchObject({ requests, errors: 0 });
    // The codes were logged as the names the baseline knows: no category is new.
    expect(report.quality.newCategories).toEqual([]);

    const shadows = (await (await call('/v1/endpoints/edge-logged/shadows')).json()) as Array<{ name: string; count: number; errors: number }>;
    expect(shadows).toEqual([expect.objectContaining({ name: 'mirror', model: 'items', version: 1, count: 2 * requests, errors: 0 })]);
  });

  it('passes an answer too large for CloudFront on to the origin, logging nothing of it here (the origin logs it)', async () => {
    // y = x / 3 on 64 columns: small integers in, long decimals out, so 2,000 rows answer with ~2.5 MB.
    const wide = writeModel({
      inputs: [{ name: 'x', type: tensorType('float32', ['N', 64]) }],
      outputs: [{ name: 'y', type: tensorType('float32', ['N', 64]) }],
      nodes: [{ opType: 'Mul', inputs: ['x', 'third'], outputs: ['y'] }],
      initializers: [floatTensor('third', [1], [1 / 3])],
    });
    expect(
      (await api.request('/v1/models/wide/versions', { method: 'POST', body: asBody(wide), headers: { authorization, 'content-type': 'application/octet-stream' } })).status,
    ).toBe(201);
    const config = { variants: [{ name: 'main', model: 'wide', version: 1, weight: 100 }], shadows: [{ name: 'mirror', model: 'wide', version: 1, percent: 100 }] };
    expect((await call('/v1/endpoints/edge-wide', { method: 'PUT', json: config })).status).toBe(201);
    await queuedLogs();

    const x = Array.from({ length: 2000 }, (_, r) => Array.from({ length: 64 }, (_, c) => (r + c) % 10));
    const event = originRequestEvent({
      method: 'POST',
      path: '/v1/endpoints/edge-wide/predict',
      headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      body: JSON.stringify({ inputs: { x } }),
    });
    expect(await handler(event, context)).toBe(event.Records[0].cf.request);
    const small = originRequestEvent({
      method: 'POST',
      path: '/v1/endpoints/edge-wide/predict',
      headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      body: JSON.stringify({ id: 'small', inputs: { x: [x[1]] } }),
    });
    expect(((await handler(small, context)) as CloudFrontResultResponse).status).toBe('200');

    const records = (await queuedLogs()).flatMap((message) => decodePredictionLogBatch(message.body).records);
    // The small request and its shadow, each one row: nothing of the forwarded one.
    expect(records.map((r) => `${r.id} ${r.variant}`).sort()).toEqual(['small/0 main', 'small/0 mirror']);
  });

  it('reads the names the build bundles, under the variables infra/ declares', () => {
    const source = readFileSync(new URL('./edge.ts', import.meta.url), 'utf8');
    for (const envVar of [tables.registry.envVar, bucket.envVar, queues.predictionLogs.envVar, 'FLYWHEEL_HOME_REGION']) expect(source).toContain(`process.env.${envVar}`);
  });
});
