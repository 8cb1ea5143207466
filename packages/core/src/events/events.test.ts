import { describe, expect, test } from 'vitest';
import {
  alertOpenedEvent,
  buildEvent,
  driftDetectedEvent,
  eventTypes,
  labelsReceivedEvent,
  parseEvent,
  retrainFailedEvent,
  retrainRequestedEvent,
  versionRegisteredEvent,
} from './index.ts';

const time = '2025-03-01T12:00:00.000Z';
const sha256 = 'a'.repeat(64);

describe('event builders', () => {
  test('build CloudEvents 1.0 structured JSON with the dev.flywheel type, source and subject', async () => {
    const event = await versionRegisteredEvent({ model: 'churn', version: 3, sha256 }, { time });
    expect(event).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      source: '/models/churn',
      type: 'dev.flywheel.model.version.registered',
      subject: 'versions/3',
      time,
      datacontenttype: 'application/json',
      data: { model: 'churn', version: 3, sha256 },
    });
  });

  test('ids are deterministic: the same occurrence built again, even later, has the same id', async () => {
    const data = { endpoint: 'demo', window: { from: '2025-03-01T11:00:00Z', to: '2025-03-01T12:00:00Z', count: 500 }, features: ['age'] };
    const first = await driftDetectedEvent(data, { time });
    const again = await driftDetectedEvent(data, { time: '2025-03-01T12:05:00.000Z' });
    expect(again.id).toBe(first.id);
    const nextWindow = await driftDetectedEvent({ ...data, window: { ...data.window, to: '2025-03-01T13:00:00Z' } }, { time });
    expect(nextWindow.id).not.toBe(first.id);
  });

  test('the dedupe key tells repeated occurrences of one subject apart', async () => {
    const alert = { alertId: 'demo/drift/age', endpoint: 'demo', kind: 'drift' as const, feature: 'age', value: 0.3, threshold: 0.2 };
    const opened = await alertOpenedEvent(alert, { time });
    const reopened = await alertOpenedEvent(alert, { time: '2025-03-02T12:00:00.000Z' });
    expect(reopened.id).not.toBe(opened.id);
    const attempt1 = await retrainFailedEvent({ model: 'm', runId: 'r1', attempt: 1, error: 'boom' }, { time });
    const attempt2 = await retrainFailedEvent({ model: 'm', runId: 'r1', attempt: 2, error: 'boom' }, { time });
    expect(attempt2.id).not.toBe(attempt1.id);
  });

  test('different types about the same subject never share an id', async () => {
    const requested = await retrainRequestedEvent({ model: 'm', runId: 'r1', trigger: { kind: 'manual' }, trainer: 'builtin' }, { time });
    const failed = await retrainFailedEvent({ model: 'm', runId: 'r1', attempt: 1, error: 'x' }, { time });
    expect(requested.id).not.toBe(failed.id);
  });

  test('labels events need a dedupe key naming the batch', async () => {
    await expect(labelsReceivedEvent({ endpoint: 'demo', count: 5 }, { time })).rejects.toThrow(/dedupeKey/);
    const event = await labelsReceivedEvent({ endpoint: 'demo', count: 5 }, { time, dedupeKey: 'batch-1' });
    expect(event.subject).toBe('labels');
  });

  test('invalid data is rejected at the producer', async () => {
    await expect(versionRegisteredEvent({ model: 'churn', version: 0, sha256 }, { time })).rejects.toThrow();
    await expect(versionRegisteredEvent({ model: 'churn', version: 1, sha256 }, { time: 'yesterday' })).rejects.toThrow(/ISO 8601/);
  });
});

describe('parseEvent', () => {
  test('round-trips every built event type with its data', async () => {
    const event = await buildEvent(
      'dev.flywheel.retrain.completed',
      { model: 'm', runId: 'r1', version: 4, metrics: { challenger: { accuracy: 0.9 } }, canary: { started: true, reason: 'beat champion' } },
      { time },
    );
    const parsed = parseEvent(JSON.stringify(event));
    expect(parsed).toEqual({ ok: true, known: true, event });
    expect(eventTypes).toContain(event.type);
  });

  test('fills data defaults, so consumers see one shape', async () => {
    const event = await driftDetectedEvent({ endpoint: 'demo', window: { from: time, to: time, count: 1 }, features: [] }, { time });
    const body = JSON.stringify({ ...event, data: { ...event.data, predictions: undefined } });
    const parsed = parseEvent(body);
    expect(parsed.ok && parsed.known && parsed.event.data).toMatchObject({ predictions: [] });
  });

  test('accepts an unknown but valid CloudEvent type as unknown, for recording only', () => {
    const foreign = { specversion: '1.0', id: 'x1', source: '/ci', type: 'com.example.build.done', subject: 'b/1', time, datacontenttype: 'application/json', data: {} };
    expect(parseEvent(JSON.stringify(foreign))).toMatchObject({ ok: true, known: false });
  });

  test.each([
    ['not JSON', '{', /not JSON/],
    ['a wrong spec version', JSON.stringify({ specversion: '0.3' }), /specversion/],
    [
      'a known type with bad data',
      JSON.stringify({
        specversion: '1.0',
        id: 'x',
        source: '/m',
        type: 'dev.flywheel.labels.received',
        subject: 'labels',
        time,
        datacontenttype: 'application/json',
        data: { endpoint: 'e', count: -1 },
      }),
      /data: count/,
    ],
    ['an oversized body', JSON.stringify({ pad: 'x'.repeat(70_000) }), /larger than/],
  ])('rejects %s with a reason', (_, body, reason) => {
    const parsed = parseEvent(body);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(reason);
  });
});
