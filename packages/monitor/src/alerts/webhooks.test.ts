import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '@flywheel/core';
import type { Alert } from './alert.ts';
import { WebhookNotifier, webhookSignature, webhooksFromEnv } from './webhooks.ts';

const alert: Alert = {
  id: 'abc',
  endpoint: 'churn',
  kind: 'drift',
  feature: 'age',
  status: 'open',
  value: 0.4,
  threshold: 0.1,
  variants: ['main'],
  windowStart: '2026-01-01T10:00:00.000Z',
  windowEnd: '2026-01-01T11:00:00.000Z',
  summary: 'churn: drift of age at 0.4 (threshold 0.1)',
  openedAt: '2026-01-01T11:00:00.000Z',
};
const event = { id: 'event-1', type: 'dev.flywheel.alert.opened' } as CloudEvent;
const target = { url: 'https://hooks.example.com/T000/B000/XXXX', secret: 's3cret-s3cret-s3cret' };

describe('webhooks', () => {
  it('signs `<timestamp>.<body>` with HMAC-SHA256', () => {
    const expected = createHmac('sha256', target.secret).update('1700000000.{"a":1}').digest('hex');
    expect(webhookSignature(target.secret, 1_700_000_000, '{"a":1}')).toBe(`t=1700000000,v1=${expected}`);
  });

  it('posts a Slack-compatible body, retries server errors, and gives up on client errors', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const statuses = [503, 500, 200];
    const notifier = new WebhookNotifier([target], {
      retryBaseMs: 1,
      now: () => new Date(1_700_000_000_000),
      report: () => undefined,
      fetch: async (url, init) => {
        calls.push({ url: String(url), init: init! });
        return new Response('', { status: statuses.shift() });
      },
    });
    notifier.notify({ alert, event });
    await notifier.settle(1000);
    expect(calls).toHaveLength(3);
    const body = String(calls[0].init.body);
    expect(JSON.parse(body)).toEqual({ text: ':rotating_light: Alert: churn: drift of age at 0.4 (threshold 0.1) — alert abc', event });
    expect((calls[0].init.headers as Record<string, string>)['flywheel-signature']).toBe(webhookSignature(target.secret, 1_700_000_000, body));

    const refused: string[] = [];
    const once = new WebhookNotifier([target], { retryBaseMs: 1, report: (m) => void refused.push(m), fetch: async () => new Response('', { status: 404 }) });
    once.notify({ alert, event });
    await once.settle(1000);
    expect(refused).toEqual(['webhook refused the notification']);
  });

  it('reads FLYWHEEL_ALERT_WEBHOOKS, refusing bad config without echoing secrets or URLs', () => {
    expect(webhooksFromEnv({ FLYWHEEL_ALERT_WEBHOOKS: JSON.stringify([target]) })).toEqual([target]);
    const reports: string[] = [];
    const report = (message: string, fields: Record<string, unknown>) => void reports.push(JSON.stringify({ message, fields }));
    expect(webhooksFromEnv({ FLYWHEEL_ALERT_WEBHOOKS: JSON.stringify([{ url: 'nope', secret: 'short' }]) }, report)).toEqual([]);
    expect(webhooksFromEnv({ FLYWHEEL_ALERT_WEBHOOKS: '[{' }, report)).toEqual([]);
    expect(webhooksFromEnv({}, report)).toEqual([]);
    expect(reports).toHaveLength(2);
    expect(reports.join()).not.toContain('short');
  });
});
