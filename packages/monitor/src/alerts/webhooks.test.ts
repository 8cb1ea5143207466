import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { loggerOf, silentLogger } from '@flywheel/core';
import type { Alert, CloudEvent } from '@flywheel/core';
import { WebhookNotifier, webhooksFromEnv } from './webhooks.ts';

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
  it('posts a Slack-compatible body signed per Standard Webhooks, retries server errors, and gives up on client errors', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const statuses = [503, 500, 200];
    const notifier = new WebhookNotifier([target], {
      backoffMs: 1,
      logger: silentLogger,
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
    const headers = calls[2].init.headers as Record<string, string>;
    expect(headers['webhook-id']).toBe(event.id);
    // A receiver verifies with the Standard Webhooks library; a body changed on the way, or another secret, fails.
    expect(new Webhook(target.secret, { format: 'raw' }).verify(String(calls[2].init.body), headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(target.secret, { format: 'raw' }).verify(body.replace('age', 'AGE'), headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook('another-secret-another', { format: 'raw' }).verify(body, headers)).toThrow(WebhookVerificationError);
    expect(JSON.stringify(calls)).not.toContain(target.secret);

    const refused: string[] = [];
    const once = new WebhookNotifier([target], {
      backoffMs: 1,
      logger: loggerOf((_level, message, fields) => void refused.push(JSON.stringify({ message, fields }))),
      fetch: async () => new Response('', { status: 404 }),
    });
    once.notify({ alert, event });
    await once.settle(1000);
    expect(refused.map((entry) => JSON.parse(entry).message)).toEqual(['webhook refused the notification']);
    // The log names the host, never the secret or the URL's path (Slack's carries its token).
    expect(JSON.parse(refused[0]).fields).toMatchObject({ host: 'hooks.example.com', status: 404 });
    expect(refused.join()).not.toContain(target.secret);
    expect(refused.join()).not.toContain('/T000/');
  });

  it('reads FLYWHEEL_ALERT_WEBHOOKS, refusing bad config without echoing secrets or URLs', () => {
    expect(webhooksFromEnv({ FLYWHEEL_ALERT_WEBHOOKS: JSON.stringify([target]) })).toEqual([target]);
    const reports: string[] = [];
    const report = loggerOf((level, message, fields) => void reports.push(JSON.stringify({ level, message, fields })));
    expect(webhooksFromEnv({ FLYWHEEL_ALERT_WEBHOOKS: JSON.stringify([{ url: 'nope', secret: 'short' }]) }, report)).toEqual([]);
    expect(webhooksFromEnv({ FLYWHEEL_ALERT_WEBHOOKS: '[{' }, report)).toEqual([]);
    expect(webhooksFromEnv({}, report)).toEqual([]);
    expect(reports).toHaveLength(2);
    expect(reports.join()).not.toContain('short');
  });
});
