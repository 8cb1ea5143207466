import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReceiveMessageCommand, DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ReferenceProfileStore } from '@flywheel/aws';
import type { Alert } from '@flywheel/core';
import { Webhook } from 'standardwebhooks';
import { seededRandom } from '@flywheel/testing/drift/random';
import { createJudgeHandler, createMonitorHandler } from '@flywheel/deploy';
import { at, batchBody, lambdaContext, logRecord, sqsEvent } from '@flywheel/testing/monitor-fixtures';
import { putEndpoint, registered, scaledModel } from '@flywheel/testing/models';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';
import { judgeTick } from '@flywheel/testing/lambda-events';
import { z } from 'zod';
import { alertSchema } from '../packages/api/src/routes/monitoring.ts';

const SECRET = 'a-webhook-secret-of-some-length';

interface Delivery {
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * The endpoints here are judged by the hour (`monitoring: {window: "1h", lookback: "1h"}`): the
 * judge, run as the schedule would at the top of hour h, judges hour h − 1.
 */
describe('alerts: opened by drift and errors, one per key, acted on by people, resolved after clean hours', () => {
  let system: TestSystem;
  let webhook: Server;
  let hanging: Server;
  const deliveries: Delivery[] = [];
  let handle: ReturnType<typeof createMonitorHandler>;
  let judgeHandler: ReturnType<typeof createJudgeHandler>;
  const random = seededRandom(9);
  let messageCounter = 0;

  /** One hour of traffic at hour `h`: `n` rows, age shifted by `shift`, a share of failed requests. */
  function hourOf(endpoint: string, h: number, n: number, shift = 0, errorShare = 0) {
    return Array.from({ length: n }, (_, i) => {
      const failed = i < n * errorShare;
      return logRecord(i, {
        id: `${endpoint}-${h}-${i}/0`,
        endpoint,
        time: at(h, 1 + (i % 50)),
        inputs: { age: random.normal(40 + shift, 10), plan: ['free', 'pro', 'team'][random.pick([5, 3, 2])] },
        ...(failed ? { status: 'error' as const, error: 'model failed', outputs: undefined } : { outputs: { score: random.uniform() } }),
      });
    });
  }
  const ingest = (records: ReturnType<typeof hourOf>, handler = handle) => handler(sqsEvent([{ messageId: `m-${++messageCounter}`, body: batchBody(records) }]), lambdaContext());
  /** The scheduled judge's run at the top of hour `h` (a real-shaped EventBridge event). */
  const judgeAt = (h: number, handler = judgeHandler) => handler(judgeTick(at(h)), lambdaContext());

  async function events(): Promise<Array<{ id: string; type: string; data: Record<string, unknown> }>> {
    const found = [];
    for (;;) {
      const { Messages = [] } = await system.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: system.names.queues.events, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (Messages.length === 0) return found;
      found.push(...Messages.map((m) => JSON.parse(m.Body!)));
      await system.clients.sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: system.names.queues.events, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
      );
    }
  }

  // What is answered is what the OpenAPI document says.
  const alerts = async (query = '') => z.object({ alerts: z.array(alertSchema) }).parse(await (await system.api(`/v1/alerts${query}`)).json()).alerts as Alert[];

  beforeAll(async () => {
    webhook = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        deliveries.push({ headers: request.headers, body });
        response.end('ok');
      });
    });
    // Accepts the connection and never answers: a notification target that hangs.
    hanging = createServer(() => undefined);
    await Promise.all([webhook, hanging].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
    const url = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`;
    system = await startTestSystem();
    handle = createMonitorHandler(system.clients, system.names);
    judgeHandler = createJudgeHandler(system.clients, system.names, {
      env: {
        FLYWHEEL_ALERT_WEBHOOKS: JSON.stringify([
          { url: url(webhook), secret: SECRET },
          { url: url(hanging), secret: SECRET },
        ]),
      },
      notificationWaitMs: 300,
    });
    expect(await registered(system, 'churn-model', scaledModel(1))).toBe(1);
    for (const endpoint of ['alerting', 'manual']) {
      const response = await putEndpoint(system, endpoint, {
        variants: [{ name: 'main', model: 'churn-model', version: 1, weight: 100 }],
        monitoring: { window: '1h', lookback: '1h', minSamples: 100 },
      });
      expect(response.status, await response.clone().text()).toBe(201);
    }
    const baseline = Array.from({ length: 2000 }, () => ({ age: random.normal(40, 10), plan: ['free', 'pro', 'team'][random.pick([5, 3, 2])] }));
    await new S3ReferenceProfileStore(system.clients.s3, system.names.bucket).storeReferenceProfile(
      'churn-model',
      1,
      [
        { name: 'age', kind: 'numerical' },
        { name: 'plan', kind: 'categorical' },
      ],
      baseline.map(() => ({ score: random.uniform() })),
      baseline,
    );
  });
  afterAll(async () => {
    await system?.stop();
    hanging?.closeAllConnections();
    await Promise.all([webhook, hanging].map((s) => new Promise((resolve) => s?.close(resolve))));
  });

  it('opens one alert per drifted feature and per breached health signal when the hour closes, and tells the events queue and webhooks', async () => {
    expect(await ingest(hourOf('alerting', 0, 600, 15, 0.1))).toEqual({ batchItemFailures: [] });
    expect(await judgeAt(0)).toMatchObject({ looks: 0, alertsOpened: 0 });
    expect(await alerts('?endpoint=alerting')).toEqual([]);
    expect(await ingest(hourOf('alerting', 1, 400))).toEqual({ batchItemFailures: [] });
    const started = Date.now();
    expect(await judgeAt(1)).toMatchObject({ looks: 1, alertsOpened: 2, failures: 0 });
    // A webhook that never answers does not hold the judge beyond its bounded wait.
    expect(Date.now() - started).toBeLessThan(3000);

    const open = await alerts('?status=open&endpoint=alerting');
    expect(open.map((a) => `${a.kind}/${a.feature ?? ''}`).sort()).toEqual(['drift/age', 'error_rate/']);
    const drift = open.find((a) => a.kind === 'drift')!;
    expect(drift).toMatchObject({ endpoint: 'alerting', status: 'open', variants: ['main'], windowStart: at(0), windowEnd: at(1), openedAt: at(1) });
    expect(drift.value).toBeGreaterThan(drift.threshold);
    expect(drift.summary).toMatch(/^alerting: drift of age at/);

    const emitted = await events();
    const opened = emitted.filter((e) => e.type === 'dev.flywheel.alert.opened');
    expect(opened.map((e) => e.data.alertId).sort()).toEqual(open.map((a) => a.id).sort());
    const detected = emitted.find((e) => e.type === 'dev.flywheel.drift.detected');
    expect(detected?.data).toMatchObject({ endpoint: 'alerting', variant: 'main', features: ['age'], window: { from: at(0), to: at(1), count: 540 } });

    await expect.poll(() => deliveries.length).toBe(2);
    // A receiver verifies with the Standard Webhooks library, not with our code.
    const receiver = new Webhook(SECRET, { format: 'raw' });
    for (const delivery of deliveries) {
      expect(receiver.verify(delivery.body, delivery.headers as Record<string, string>)).toMatchObject({ event: { id: delivery.headers['webhook-id'] } });
      expect(JSON.parse(delivery.body).text).toMatch(/^:rotating_light: Alert: alerting: /);
    }
    expect(JSON.stringify(deliveries)).not.toContain(SECRET);
  });

  it('keeps one alert however often the hour is judged again', async () => {
    const fresh = createJudgeHandler(system.clients, system.names);
    expect(await judgeAt(1, fresh)).toMatchObject({ alertsOpened: 0 });
    expect(await judgeAt(1)).toMatchObject({ alertsOpened: 0 });
    expect((await alerts('?endpoint=alerting')).length).toBe(2);
    expect((await events()).filter((e) => e.type === 'dev.flywheel.alert.opened')).toEqual([]);
  });

  it('lets people acknowledge an alert, and resolves it by policy after three clean hours', async () => {
    const [drift] = await alerts('?status=open&endpoint=alerting').then((list) => list.filter((a) => a.kind === 'drift'));
    const acknowledged = await system.api(`/v1/alerts/${drift.id}/acknowledge`, { method: 'POST' });
    expect(acknowledged.status).toBe(200);
    expect(alertSchema.parse(await acknowledged.json())).toMatchObject({ id: drift.id, status: 'acknowledged' });
    expect((await system.api(`/v1/alerts/${drift.id}/acknowledge`, { method: 'POST' })).status).toBe(200);
    expect((await alerts('?status=acknowledged')).map((a) => a.id)).toEqual([drift.id]);

    // Hours 1, 2 and 3 are clean; each is judged at the top of the next.
    for (const h of [2, 3]) expect(await ingest(hourOf('alerting', h, 300))).toEqual({ batchItemFailures: [] });
    for (const h of [2, 3, 4]) await judgeAt(h);
    const resolved = await alerts('?status=resolved&endpoint=alerting');
    expect(resolved.map((a) => a.kind).sort()).toEqual(['drift', 'error_rate']);
    expect(resolved.find((a) => a.id === drift.id)).toMatchObject({ resolvedBy: 'policy', resolvedAt: at(4), acknowledgedAt: expect.any(String) });
    const emitted = (await events()).filter((e) => e.type === 'dev.flywheel.alert.resolved');
    expect(emitted.map((e) => e.data.alertId).sort()).toEqual(resolved.map((a) => a.id).sort());
    await expect.poll(() => deliveries.filter((d) => d.body.includes(':white_check_mark: Resolved')).length).toBe(2);
  });

  it('resolves by hand, starting a cool-down, and refuses to acknowledge what is resolved', async () => {
    await ingest(hourOf('manual', 10, 300, 15));
    await ingest(hourOf('manual', 11, 300, 15));
    await judgeAt(11);
    const [alert] = await alerts('?status=open&endpoint=manual');
    expect(alert).toMatchObject({ kind: 'drift', feature: 'age' });
    const resolved = await system.api(`/v1/alerts/${alert.id}/resolve`, { method: 'POST' });
    expect(alertSchema.parse(await resolved.json())).toMatchObject({ status: 'resolved', resolvedBy: 'user' });
    expect((await system.api(`/v1/alerts/${alert.id}/resolve`, { method: 'POST' })).status).toBe(200);
    const conflict = await system.api(`/v1/alerts/${alert.id}/acknowledge`, { method: 'POST' });
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('content-type')).toBe('application/problem+json');
    expect((await system.api('/v1/alerts/nope/resolve', { method: 'POST' })).status).toBe(404);
    expect((await events()).filter((e) => e.type === 'dev.flywheel.alert.resolved').map((e) => e.data)).toEqual([
      { alertId: alert.id, endpoint: 'manual', kind: 'drift', feature: 'age', by: 'user' },
    ]);
    // Still drifting, but within the cool-down: no new alert.
    await ingest(hourOf('manual', 12, 300, 15));
    await judgeAt(12);
    expect((await alerts('?endpoint=manual')).length).toBe(1);
    const readOnly = await system.api('/v1/keys', { method: 'POST', json: { name: 'viewer', scopes: ['read'] } });
    const key = ((await readOnly.json()) as { key: string }).key;
    expect((await system.api(`/v1/alerts/${alert.id}/resolve`, { method: 'POST', key })).status).toBe(403);
    expect((await system.api('/v1/alerts?status=closed')).status).toBe(400);
  });

  it('exposes the latest drift scores and open alerts in /metrics', async () => {
    const metrics = await (await system.api('/metrics')).text();
    expect(metrics).toMatch(
      /^flywheel_drift_score\{endpoint="alerting",variant="main",model="churn-model",version="1",column="age",role="feature",method="ks\+wasserstein"\} [\d.e-]+$/m,
    );
    expect(metrics).toMatch(
      /^flywheel_drift_detected\{endpoint="manual",variant="main",model="churn-model",version="1",column="age",role="feature",method="ks\+wasserstein"\} 1$/m,
    );
    expect(metrics).not.toMatch(/^flywheel_alerts\{endpoint="alerting"/m);
  });
});
