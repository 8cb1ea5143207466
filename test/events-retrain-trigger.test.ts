import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertOpenedEvent, driftDetectedEvent, labelsReceivedEvent, versionRegisteredEvent, type CloudEvent, type Run, silentLogger } from '@flywheel/core';
import { SqsEventPublisher } from '@flywheel/aws';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { sha256Hex } from '@flywheel/inference';
import { generateTabularDataset, trainChallenger } from '@flywheel/train';
import { createEventsHandler, createTrainHandler } from '@flywheel/deploy';
import { lambdaContext, sqsEvent } from '@flywheel/testing/monitor-fixtures';
import { MemoryLabels, archiveShiftedTraffic, eventually, putRetrainingEndpoint, registerConceptOneModel } from '@flywheel/testing/retrain-fixtures';
import { startTestSystem, type TestSystem } from '@flywheel/testing/system';

const hour = (n: number) => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - n * 3_600_000).toISOString();

/** What a webhook receiver saw; answers with the statuses given, then 200. */
function webhookReceiver(statuses: number[] = []) {
  const received: { url: string; headers: Record<string, string>; body: string }[] = [];
  const fetch = (async (url: string | URL, init?: RequestInit) => {
    received.push({ url: String(url), headers: Object.fromEntries(new Headers(init?.headers).entries()), body: String(init?.body) });
    return new Response(null, { status: statuses.shift() ?? 200 });
  }) as typeof globalThis.fetch;
  return { received, fetch };
}

describe('the events function and the retraining policy', () => {
  let system: TestSystem;
  let publisher: SqsEventPublisher;
  const labels = new MemoryLabels();
  const webhook = webhookReceiver([503]);
  const env = { FLYWHEEL_SECRET_AIRFLOW: 'webhook-secret-for-tests' };

  beforeAll(async () => {
    system = await startTestSystem({
      consumers: {
        events: (clients, names) => createEventsHandler(clients, names, { logger: silentLogger, env, webhook: { fetch: webhook.fetch, backoffMs: 5 } }),
        train: (clients, names) => createTrainHandler(clients, names, { labels: labels.source, logger: silentLogger }),
      },
    });
    publisher = new SqsEventPublisher(system.clients.sqs, system.names.queues.events);
  });
  afterAll(() => system?.stop());

  const runsOf = async (model: string) => ((await (await system.api(`/v1/models/${model}/runs`)).json()) as { runs: Run[] }).runs;
  const recorded = (id: string) =>
    eventually(async () => {
      const { events } = (await (await system.api(`/v1/events?limit=1000`)).json()) as { events: CloudEvent[] };
      return events.some((e) => e.id === id) ? true : undefined;
    }, `event ${id} to be recorded`);
  const finished = (model: string) =>
    eventually(
      async () => {
        const runs = await runsOf(model);
        return runs.length > 0 && runs.every((r) => r.status === 'succeeded' || r.status === 'failed') ? runs : undefined;
      },
      `the runs of ${model} to finish`,
      50_000,
    );

  async function retrainableModel(name: string, retrain: Parameters<typeof putRetrainingEndpoint>[4] = {}) {
    const { version } = await registerConceptOneModel(system, name);
    await putRetrainingEndpoint(system, name, name, version, retrain);
    labels.add(name, await archiveShiftedTraffic(system, name, name, version, 500, 500 + name.length));
  }

  it('records events once each and lists them by type and time', async () => {
    const first = await labelsReceivedEvent({ endpoint: 'nowhere', count: 3 }, { time: hour(2), dedupeKey: 'batch-a' });
    const second = await driftDetectedEvent({ endpoint: 'nowhere', window: { from: hour(2), to: hour(1), count: 10 }, features: ['age'] }, { time: hour(1) });
    for (const event of [first, first, second]) await publisher.publish(event);
    await recorded(second.id);
    await recorded(first.id);
    const byType = (await (await system.api('/v1/events?type=dev.flywheel.labels.received')).json()).events as CloudEvent[];
    expect(byType.filter((e) => e.id === first.id)).toEqual([first]);
    expect(byType.every((e) => e.type === 'dev.flywheel.labels.received')).toBe(true);
    const since = (await (await system.api(`/v1/events?since=${encodeURIComponent(hour(1))}`)).json()).events as CloudEvent[];
    expect(since.map((e) => e.id)).toContain(second.id);
    expect(since.map((e) => e.id)).not.toContain(first.id);
    const bad = await system.api('/v1/events?since=yesterday');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors[0].path).toBe('since');
    expect((await system.api('/v1/events', { key: null })).status).toBe(401);
  }, 60_000);

  it('turns any number of concurrent drift signals into one run, and redelivered events start no second run', async () => {
    await retrainableModel('burst');
    const labelled = await labelsReceivedEvent({ endpoint: 'burst', count: 500 }, { time: hour(3), dedupeKey: 'labels-burst' });
    const drifts = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        driftDetectedEvent({ endpoint: 'burst', window: { from: hour(i + 2), to: hour(i + 1), count: 80 }, features: ['usage_hours'] }, { time: hour(1) }),
      ),
    );
    const alerts = await Promise.all(
      ['usage_hours', 'tenure_months', 'plan'].map((feature) =>
        alertOpenedEvent({ alertId: `burst-${feature}`, endpoint: 'burst', kind: 'drift', feature, value: 0.4, threshold: 0.1 }, { time: hour(1) }),
      ),
    );
    const messages = [labelled, ...drifts, ...alerts].map((event, i) => ({ messageId: `m-${i}`, body: JSON.stringify(event) }));
    // Labels first (one consumer), then every signal through several consumers at once, as parallel Lambdas would.
    const handlers = Array.from({ length: 4 }, () => createEventsHandler(system.clients, system.names, { logger: silentLogger }));
    await handlers[0](sqsEvent(messages.slice(0, 1)), lambdaContext());
    const results = await Promise.all(handlers.map((handle) => handle(sqsEvent(messages.slice(1)), lambdaContext())));
    expect(results.every((r) => r.batchItemFailures.length === 0)).toBe(true);

    const [run] = await finished('burst');
    expect(await runsOf('burst')).toHaveLength(1);
    expect(run).toMatchObject({ status: 'succeeded', trigger: { kind: 'drift', endpoint: 'burst' }, version: 2 });
    expect([...drifts, ...alerts].map((e) => e.id)).toContain(run.trigger.eventId);
    const version = await (await system.api('/v1/models/burst/versions/2')).json();
    expect(version.lineage).toMatchObject({ runId: run.runId, triggeringEventId: run.trigger.eventId, parentVersion: 1 });

    // Everything delivered again, after the run: nothing new starts (and the cool-down holds new signals).
    const again = await Promise.all(handlers.map((handle) => handle(sqsEvent(messages), lambdaContext())));
    expect(again.every((r) => r.batchItemFailures.length === 0)).toBe(true);
    expect(await runsOf('burst')).toHaveLength(1);
  }, 60_000);

  it('holds drift that arrives before enough labels, and starts the run when the labels arrive', async () => {
    await retrainableModel('patient', { minLabels: 300 });
    const drift = await driftDetectedEvent({ endpoint: 'patient', window: { from: hour(2), to: hour(1), count: 80 }, features: ['plan'] }, { time: hour(1) });
    await publisher.publish(drift);
    await recorded(drift.id);
    const some = await labelsReceivedEvent({ endpoint: 'patient', count: 200 }, { time: hour(1), dedupeKey: 'p-1' });
    await publisher.publish(some);
    await publisher.publish(some); // a producer retry: counted once
    await recorded(some.id);
    expect(await runsOf('patient')).toEqual([]);

    await publisher.publish(await labelsReceivedEvent({ endpoint: 'patient', count: 100 }, { time: hour(0), dedupeKey: 'p-2' }));
    const [run] = await finished('patient');
    expect(run).toMatchObject({ status: 'succeeded', trigger: { kind: 'drift', eventId: drift.id } });
  }, 60_000);

  it('with `on: ["labels"]`, starts a run once minLabels new labels are in, and counts afresh after it', async () => {
    await retrainableModel('labelled', { on: ['labels'], minLabels: 300, cooldownMinutes: 0 });
    const first = await labelsReceivedEvent({ endpoint: 'labelled', count: 200 }, { time: hour(1), dedupeKey: 'n-1' });
    await publisher.publish(first);
    await recorded(first.id);
    expect(await runsOf('labelled')).toEqual([]);

    const second = await labelsReceivedEvent({ endpoint: 'labelled', count: 150 }, { time: hour(0), dedupeKey: 'n-2' });
    await publisher.publish(second);
    const [run] = await finished('labelled');
    expect(run).toMatchObject({ status: 'succeeded', trigger: { kind: 'labels', endpoint: 'labelled', eventId: second.id } });
    const requested = (await (await system.api('/v1/events?type=dev.flywheel.retrain.requested&limit=1000')).json()).events as CloudEvent[];
    expect(requested.find((e) => (e.data as { runId: string }).runId === run.runId)?.data).toMatchObject({ trigger: { kind: 'labels' } });

    // The run reset the count: 150 more are not enough for another.
    const third = await labelsReceivedEvent({ endpoint: 'labelled', count: 150 }, { time: new Date().toISOString(), dedupeKey: 'n-3' });
    await publisher.publish(third);
    await recorded(third.id);
    expect(await runsOf('labelled')).toHaveLength(1);
  }, 60_000);

  it('with `on: ["performance"]`, a performance drop starts a run and a drift alert does not', async () => {
    await retrainableModel('degrading', { on: ['performance'] });
    const labelled = await labelsReceivedEvent({ endpoint: 'degrading', count: 500 }, { time: hour(2), dedupeKey: 'labels-degrading' });
    await publisher.publish(labelled);
    await recorded(labelled.id);
    const drift = await alertOpenedEvent({ alertId: 'degrading-drift', endpoint: 'degrading', kind: 'drift', feature: 'plan', value: 0.4, threshold: 0.1 }, { time: hour(1) });
    await publisher.publish(drift);
    await recorded(drift.id);
    expect(await runsOf('degrading')).toEqual([]);

    const drop = await alertOpenedEvent(
      { alertId: 'degrading-accuracy', endpoint: 'degrading', kind: 'performance', feature: 'accuracy', value: 0.2, threshold: 0.05 },
      { time: hour(0) },
    );
    await publisher.publish(drop);
    const [run] = await finished('degrading');
    expect(run).toMatchObject({ status: 'succeeded', trigger: { kind: 'performance', endpoint: 'degrading', eventId: drop.id } });
  }, 60_000);

  it('hands a run to a webhook trainer with a signed, retried POST, and completes it when the model comes back', async () => {
    const trainer = { webhook: 'https://pipelines.example.com/hooks/retrain', secretRef: 'airflow' };
    await retrainableModel('external', { trainer });
    const { runId } = (await (await system.api('/v1/models/external/retrain', { method: 'POST', json: { reason: 'nightly' } })).json()) as { runId: string };
    const running = await eventually(async () => {
      const run = (await (await system.api(`/v1/runs/${runId}`)).json()) as Run;
      return run.status === 'running' ? run : undefined;
    }, 'the webhook run to be handed over');
    expect(running.trainer).toEqual({ webhook: trainer.webhook });

    const deliveries = webhook.received.filter((r) => r.body.includes(runId));
    expect(deliveries).toHaveLength(2); // a 503, then accepted
    const [delivery] = deliveries;
    expect(delivery.url).toBe(trainer.webhook);
    expect(delivery.headers['content-type']).toBe('application/cloudevents+json');
    const event = JSON.parse(delivery.body) as CloudEvent;
    expect(event).toMatchObject({ type: 'dev.flywheel.retrain.requested', data: { runId, model: 'external', trigger: { kind: 'manual', reason: 'nightly' } } });
    expect(delivery.headers['webhook-id']).toBe(event.id);
    // It names the dataset version the train function registered for the run, with a download the recorded event leaves out.
    const dataset = (event.data as { dataset: { name: string; version: number; sha256: string; url: string } }).dataset;
    expect(dataset).toMatchObject({ name: 'external', version: 1, sha256: running.dataset!.sha256, url: expect.any(String) });
    expect(running.dataset).toMatchObject({ name: 'external', version: 1, rows: 500 });
    const download = new Uint8Array(await (await fetch(dataset.url)).arrayBuffer());
    expect(await sha256Hex(download[0] === 0x1f ? new Uint8Array(gunzipSync(download)) : download)).toBe(dataset.sha256);
    const { events: recordedEvents } = (await (await system.api('/v1/events?type=dev.flywheel.retrain.requested&limit=1000')).json()) as { events: CloudEvent[] };
    expect(recordedEvents.find((e) => e.id === event.id)?.data).toMatchObject({ dataset: { name: 'external', version: 1 } });
    expect(JSON.stringify(recordedEvents.find((e) => e.id === event.id))).not.toContain('X-Amz-Signature');
    // The pipeline verifies with the Standard Webhooks library, not with our code.
    expect(new Webhook(env.FLYWHEEL_SECRET_AIRFLOW, { format: 'raw' }).verify(delivery.body, delivery.headers)).toMatchObject({ id: event.id });
    expect(() => new Webhook('another secret', { format: 'raw' }).verify(delivery.body, delivery.headers)).toThrow(WebhookVerificationError);

    // The pipeline registers its model with lineage naming the run; the registry's event closes the run.
    const registered = await system.api('/v1/models/external/versions', {
      method: 'POST',
      body: await externallyTrainedModel(),
      headers: { 'content-type': 'application/octet-stream', 'flywheel-metadata': JSON.stringify({ lineage: { runId } }) },
    });
    expect([200, 201]).toContain(registered.status);
    const version = (await registered.json()) as { version: number; sha256: string };
    await publisher.publish(
      await versionRegisteredEvent({ model: 'external', version: version.version, sha256: version.sha256, lineage: { runId } }, { time: new Date().toISOString() }),
    );
    const done = await eventually(async () => {
      const run = (await (await system.api(`/v1/runs/${runId}`)).json()) as Run;
      return run.status === 'succeeded' ? run : undefined;
    }, 'the webhook run to complete');
    expect(done.version).toBe(version.version);
  }, 60_000);

  it('fails a webhook run the trainer refuses, with the reason, and frees the model', async () => {
    await retrainableModel('refused', { trainer: { webhook: 'https://pipelines.example.com/hooks/refuse', secretRef: 'missing-secret' } });
    const { runId } = (await (await system.api('/v1/models/refused/retrain', { method: 'POST' })).json()) as { runId: string };
    const [run] = await finished('refused');
    expect(run).toMatchObject({ runId, status: 'failed', error: expect.stringMatching(/secret "missing-secret" is not configured/) });
    const next = await system.api('/v1/models/refused/retrain', { method: 'POST' });
    expect(((await next.json()) as { runId: string }).runId).not.toBe(runId);
  }, 60_000);
});

/** A model an external pipeline trained (here: on concept 2, with the linear trainer). */
async function externallyTrainedModel(): Promise<Uint8Array<ArrayBuffer>> {
  const dataset = generateTabularDataset({ seed: 909, rows: 300, concept: 2 });
  return (await trainChallenger({ dataset, params: { algorithm: 'linear' } })).bytes as Uint8Array<ArrayBuffer>;
}
