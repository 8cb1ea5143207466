import type { CloudEvent } from '../events/cloud-event.ts';
import { deliverWebhook, webhookOrigin, type WebhookDeliveryOptions } from '../events/webhook-delivery.ts';

/** The receiver refused the event, or never answered within the tries: the run it asked for fails. */
export class WebhookDeliveryError extends Error {
  override name = 'WebhookDeliveryError';
}

/**
 * POSTs the CloudEvent (structured mode, `application/cloudevents+json`) to an external pipeline
 * through the one webhook sender, signed with the trainer's secret; 4 tries, 500 ms backoff and
 * 10 s per try unless `options` says otherwise. The event id is the `webhook-id`, so a receiver
 * deduplicates the retries. Secrets are never put in an error message.
 */
export async function deliverTrainerWebhook(url: string, secret: string, event: CloudEvent, options: WebhookDeliveryOptions = {}): Promise<{ status: number; attempts: number }> {
  const outcome = await deliverWebhook(
    { url, secret, id: event.id, body: JSON.stringify(event), contentType: 'application/cloudevents+json' },
    { attempts: 4, timeoutMs: 10_000, ...options },
  );
  if (!outcome.delivered) throw new WebhookDeliveryError(`webhook ${webhookOrigin(url)} ${outcome.problem}`);
  return { status: outcome.status, attempts: outcome.attempts };
}

/** Where a webhook trainer's `secretRef` is looked up. */
export type SecretResolver = (secretRef: string) => Promise<string | undefined>;

/**
 * Secrets from the environment: `secretRef: "airflow"` reads `FLYWHEEL_SECRET_AIRFLOW`. The prefix
 * keeps an endpoint config from naming any other variable of the process.
 */
export function environmentSecrets(env: Readonly<Record<string, string | undefined>>): SecretResolver {
  return async (secretRef) => env[`FLYWHEEL_SECRET_${secretRef.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
}
