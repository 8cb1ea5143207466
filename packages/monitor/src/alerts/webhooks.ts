import { deliverWebhook, jsonLogger, withFields, type Logger, type WebhookDeliveryOptions } from '@flywheel/core';
import { z } from 'zod';
import type { AlertNotification, AlertNotifier } from './notifier.ts';

export const WebhookTargetSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  /** Signs each delivery; never logged. */
  secret: z.string().min(16, 'use a secret of at least 16 characters'),
});
export type WebhookTarget = z.infer<typeof WebhookTargetSchema>;

/** The one sender's options (3 tries, 500 ms backoff, 5 s per try unless said otherwise). */
export interface WebhookOptions extends WebhookDeliveryOptions {
  /** Where failed deliveries are logged (host only, never the URL or secret). */
  logger?: Logger;
}

/**
 * Reads `FLYWHEEL_ALERT_WEBHOOKS`, a JSON list of `{url, secret}`. A malformed value is reported
 * (without its secrets) and ignored: bad notification config must not stop monitoring.
 */
export function webhooksFromEnv(env: Record<string, string | undefined> = process.env, base: Logger = jsonLogger): WebhookTarget[] {
  const logger = withFields(base, { component: 'alert-webhooks' });
  const raw = env.FLYWHEEL_ALERT_WEBHOOKS;
  if (!raw) return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    logger.warn('FLYWHEEL_ALERT_WEBHOOKS is not JSON; no webhooks configured');
    return [];
  }
  const parsed = z.array(WebhookTargetSchema).safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    logger.warn('FLYWHEEL_ALERT_WEBHOOKS is not a list of {url, secret}; no webhooks configured', { problems });
    return [];
  }
  return parsed.data;
}

/** A Slack incoming-webhook body (`text`), with the CloudEvent alongside for machines. */
export function webhookBody({ alert, event }: AlertNotification): string {
  const icon = alert.status === 'resolved' ? ':white_check_mark:' : ':rotating_light:';
  const verb = alert.status === 'resolved' ? `Resolved${alert.resolvedBy === 'user' ? ' by hand' : ''}` : 'Alert';
  return JSON.stringify({ text: `${icon} ${verb}: ${alert.summary} — alert ${alert.id}`, event });
}

/** Posts signed notifications to every configured webhook, retried, in the background. */
export class WebhookNotifier implements AlertNotifier {
  readonly #inFlight = new Set<Promise<void>>();
  readonly #logger: Logger;

  constructor(
    private readonly targets: readonly WebhookTarget[],
    private readonly options: WebhookOptions = {},
  ) {
    this.#logger = withFields(options.logger ?? jsonLogger, { component: 'alert-webhooks' });
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
    const outcome = await deliverWebhook({ url: target.url, secret: target.secret, id: eventId, body, contentType: 'application/json' }, this.options);
    if (outcome.delivered) return;
    const host = new URL(target.url).host;
    const fields = { host, status: outcome.status, attempts: outcome.attempts, eventId, problem: outcome.problem };
    this.#logger.warn(outcome.refused ? 'webhook refused the notification' : 'webhook failed', fields);
  }
}
