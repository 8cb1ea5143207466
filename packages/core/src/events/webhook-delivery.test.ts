import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { deliverWebhook, webhookOrigin, type WebhookRequest } from './webhook-delivery.ts';

const message = { url: 'https://hooks.example.com/in', secret: 'a-secret-of-some-length', id: 'evt-1', body: '{"a":1}', contentType: 'application/json' };

/** A receiver answering the given statuses in turn, recording what it got. */
function receiver(statuses: (number | Error)[]) {
  const received: { headers: Record<string, string>; body: string }[] = [];
  const fetch = async (_url: string, init: WebhookRequest) => {
    received.push({ headers: Object.fromEntries(new Headers(init.headers).entries()), body: String(init.body) });
    const next = statuses.shift() ?? 200;
    if (next instanceof Error) throw next;
    return new Response(null, { status: next });
  };
  return { received, fetch };
}

describe('deliverWebhook', () => {
  it('retries network failures and 5xx under one webhook-id, each try verifiable by a Standard Webhooks receiver', async () => {
    const { received, fetch } = receiver([new TypeError('connection reset'), 503, 200]);
    expect(await deliverWebhook(message, { fetch, backoffMs: 1 })).toEqual({ delivered: true, status: 200, attempts: 3 });
    expect(received.map((r) => r.headers['webhook-id'])).toEqual(['evt-1', 'evt-1', 'evt-1']);
    const verifier = new Webhook(message.secret, { format: 'raw' });
    for (const r of received) expect(verifier.verify(r.body, r.headers)).toEqual({ a: 1 });
    expect(JSON.stringify(received)).not.toContain(message.secret);
  });

  it('stops at a refusal that retrying will not change, and gives up after its tries otherwise', async () => {
    const refused = receiver([404]);
    expect(await deliverWebhook(message, { fetch: refused.fetch, backoffMs: 1 })).toEqual({ delivered: false, refused: true, status: 404, attempts: 1, problem: 'answered 404' });
    const down = receiver([500, 429, 502]);
    expect(await deliverWebhook(message, { fetch: down.fetch, backoffMs: 1 })).toEqual({ delivered: false, refused: false, status: 502, attempts: 3, problem: 'answered 502' });
    expect(down.received).toHaveLength(3);
  });

  it('names only the origin of a URL, never its path (a Slack URL carries its token there)', () => {
    expect(webhookOrigin('https://hooks.slack.com/services/T000/B000/XXXX')).toBe('https://hooks.slack.com');
    expect(webhookOrigin('http://127.0.0.1:8080/in?token=x')).toBe('http://127.0.0.1:8080');
    expect(webhookOrigin('not a url')).toBe('(not a URL)');
  });
});
