import { signWebhook, type CloudEvent } from '@flywheel/core';

export interface WebhookDeliveryOptions {
  /** Tries in all (default 4). */
  readonly attempts?: number;
  /** Wait before the second try, doubling after (default 500 ms). */
  readonly backoffMs?: number;
  /** Per-try timeout (default 10 s). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/** The receiver refused the event, or never answered within the tries: the run it asked for fails. */
export class WebhookDeliveryError extends Error {
  override name = 'WebhookDeliveryError';
}

/**
 * POSTs the CloudEvent (structured mode, `application/cloudevents+json`) to an external
 * pipeline, signed per Standard Webhooks with the trainer's secret, retrying network failures,
 * 408, 429 and 5xx with exponential backoff. The event id is the `webhook-id`, so a receiver
 * deduplicates the retries. Secrets are never put in an error message.
 */
export async function deliverWebhook(url: string, secret: string, event: CloudEvent, options: WebhookDeliveryOptions = {}): Promise<{ status: number; attempts: number }> {
  const attempts = options.attempts ?? 4;
  const doFetch = options.fetch ?? fetch;
  const body = JSON.stringify(event);
  let lastProblem = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, (options.backoffMs ?? 500) * 2 ** (attempt - 2)));
    const signature = await signWebhook(secret, event.id, (options.now ?? Date.now)() / 1000, body);
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json', 'user-agent': 'flywheel-webhook/1', ...signature },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        redirect: 'manual',
      });
      await response.body?.cancel();
      if (response.ok) return { status: response.status, attempts: attempt };
      lastProblem = `answered ${response.status}`;
      if (!retriable(response.status)) break;
    } catch (error) {
      lastProblem = (error as Error).name === 'TimeoutError' ? 'timed out' : `failed: ${(error as Error).message}`;
    }
  }
  throw new WebhookDeliveryError(`webhook ${new URL(url).origin} ${lastProblem}`);
}

function retriable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Where a webhook trainer's `secretRef` is looked up. */
export type SecretResolver = (secretRef: string) => Promise<string | undefined>;

/**
 * Secrets from the environment: `secretRef: "airflow"` reads `FLYWHEEL_SECRET_AIRFLOW`. The prefix
 * keeps an endpoint config from naming any other variable of the process.
 */
export function environmentSecrets(env: Record<string, string | undefined> = process.env): SecretResolver {
  return async (secretRef) => env[`FLYWHEEL_SECRET_${secretRef.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`];
}
