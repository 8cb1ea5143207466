import { signWebhook } from './webhook-signature.ts';

/** How hard one delivery tries; each caller picks its own defaults. */
export interface WebhookDeliveryOptions {
  /** Tries in all. */
  readonly attempts?: number;
  /** Wait before the second try, doubling after. */
  readonly backoffMs?: number;
  /** Per-try timeout. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** Epoch milliseconds; signs each try with its own timestamp. */
  readonly now?: () => number;
}

export interface WebhookMessage {
  readonly url: string;
  /** Signs the message; never put in an outcome or error. */
  readonly secret: string;
  /** The `webhook-id`: the same on every retry, so a receiver deduplicates them. */
  readonly id: string;
  readonly body: string;
  readonly contentType: string;
}

export type WebhookOutcome =
  | { readonly delivered: true; readonly status: number; readonly attempts: number }
  /** `refused`: the receiver answered a status that retrying will not change (a 4xx other than 408/429). */
  | { readonly delivered: false; readonly refused: boolean; readonly status?: number; readonly attempts: number; readonly problem: string };

const DEFAULTS = { attempts: 3, backoffMs: 500, timeoutMs: 5000 };

/**
 * The one webhook sender (alerts and webhook trainers): POSTs `body` signed per Standard Webhooks
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`), retrying network failures, timeouts,
 * 408, 429 and 5xx with exponential backoff. Redirects are not followed: a signed body goes only
 * where it was configured to go.
 */
export async function deliverWebhook(message: WebhookMessage, options: WebhookDeliveryOptions = {}): Promise<WebhookOutcome> {
  const attempts = options.attempts ?? DEFAULTS.attempts;
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  let problem = 'was not tried';
  let status: number | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, (options.backoffMs ?? DEFAULTS.backoffMs) * 2 ** (attempt - 2)));
    const signature = await signWebhook(message.secret, message.id, now() / 1000, message.body);
    try {
      const response = await doFetch(message.url, {
        method: 'POST',
        headers: { 'content-type': message.contentType, 'user-agent': 'flywheel-webhook/1', ...signature },
        body: message.body,
        signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULTS.timeoutMs),
        redirect: 'manual',
      });
      await response.body?.cancel();
      status = response.status;
      if (response.ok) return { delivered: true, status, attempts: attempt };
      problem = `answered ${status}`;
      if (!retriable(status)) return { delivered: false, refused: true, status, attempts: attempt, problem };
    } catch (error) {
      status = undefined;
      problem = (error as Error).name === 'TimeoutError' ? 'timed out' : `failed: ${(error as Error).message}`;
    }
  }
  return { delivered: false, refused: false, status, attempts, problem };
}

function retriable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
