import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { AlertNotification, AlertNotifier } from './notifier.ts';

export const WebhookTargetSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  /** Signs each delivery; never logged. */
  secret: z.string().min(16, 'use a secret of at least 16 characters'),
});
export type WebhookTarget = z.infer<typeof WebhookTargetSchema>;

export interface WebhookOptions {
  /** Attempts per delivery (default 3), with exponential backoff from `retryBaseMs` (default 500). */
  attempts?: number;
  retryBaseMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => Date;
  report?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Reads `FLYWHEEL_ALERT_WEBHOOKS`, a JSON list of `{url, secret}`. A malformed value is reported
 * (without its secrets) and ignored: bad notification config must not stop monitoring.
 */
export function webhooksFromEnv(env: Record<string, string | undefined> = process.env, report = defaultReport): WebhookTarget[] {
  const raw = env.FLYWHEEL_ALERT_WEBHOOKS;
  if (!raw) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    report('FLYWHEEL_ALERT_WEBHOOKS is not JSON; no webhooks configured', {});
    return [];
  }
  const parsed = z.array(WebhookTargetSchema).safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    report('FLYWHEEL_ALERT_WEBHOOKS is not a list of {url, secret}; no webhooks configured', { problems });
    return [];
  }
  return parsed.data;
}

function defaultReport(message: string, fields: Record<string, unknown>): void {
  console.warn(JSON.stringify({ level: 'warn', component: 'alert-webhooks', message, ...fields }));
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp lets receivers refuse replays. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** A Slack incoming-webhook body (`text`), with the CloudEvent alongside for machines. */
export function webhookBody({ alert, event }: AlertNotification): string {
  const icon = alert.status === 'resolved' ? ':white_check_mark:' : ':rotating_light:';
  const verb = alert.status === 'resolved' ? `Resolved${alert.resolvedBy === 'user' ? ' by hand' : ''}` : 'Alert';
  return JSON.stringify({ text: `${icon} ${verb}: ${alert.summary} — alert ${alert.id}`, event });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Posts signed notifications to every configured webhook, retried, in the background. */
export class WebhookNotifier implements AlertNotifier {
  readonly #inFlight = new Set<Promise<void>>();
  readonly #options: Required<WebhookOptions>;

  constructor(
    private readonly targets: readonly WebhookTarget[],
    options: WebhookOptions = {},
  ) {
    this.#options = {
      attempts: options.attempts ?? 3,
      retryBaseMs: options.retryBaseMs ?? 500,
      timeoutMs: options.timeoutMs ?? 5000,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      now: options.now ?? (() => new Date()),
      report: options.report ?? defaultReport,
    };
  }

  notify(notification: AlertNotification): void {
    if (this.targets.length === 0) return;
    const body = webhookBody(notification);
    for (const target of this.targets) {
      const delivery = this.#deliver(target, body, notification.event.id).finally(() => this.#inFlight.delete(delivery));
      this.#inFlight.add(delivery);
    }
  }

  async settle(maxWaitMs: number): Promise<void> {
    if (this.#inFlight.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.allSettled([...this.#inFlight]), new Promise((resolve) => (timer = setTimeout(resolve, maxWaitMs)))]);
    clearTimeout(timer);
  }

  async #deliver(target: WebhookTarget, body: string, eventId: string): Promise<void> {
    const host = new URL(target.url).host;
    for (let attempt = 1; attempt <= this.#options.attempts; attempt++) {
      const timestamp = Math.floor(this.#options.now().getTime() / 1000);
      try {
        const response = await this.#options.fetch(target.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'flywheel-event-id': eventId,
            'flywheel-signature': webhookSignature(target.secret, timestamp, body),
          },
          body,
          signal: AbortSignal.timeout(this.#options.timeoutMs),
        });
        await response.body?.cancel();
        if (response.ok) return;
        // A 4xx other than 408/429 will not get better by retrying.
        if (response.status < 500 && response.status !== 408 && response.status !== 429) {
          this.#options.report('webhook refused the notification', { host, status: response.status, eventId });
          return;
        }
        this.#options.report('webhook failed', { host, status: response.status, attempt, eventId });
      } catch (error) {
        this.#options.report('webhook unreachable', { host, attempt, eventId, error: String(error) });
      }
      if (attempt < this.#options.attempts) await sleep(this.#options.retryBaseMs * 2 ** (attempt - 1));
    }
  }
}
