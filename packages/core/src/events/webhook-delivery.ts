import { signWebhook } from './webhook-signature.ts';

/** The platform's AbortSignal where its types are known (the root check), else opaque (core's own, without the DOM lib). */
type PlatformAbortSignal = typeof globalThis extends { AbortSignal: { prototype: infer S } } ? S : unknown;

/** What the sender passes to `fetch`: a subset of `RequestInit`, so the platform's `fetch` fits. */
export interface WebhookRequest {
  readonly method: 'POST';
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly signal: PlatformAbortSignal;
  readonly redirect: 'manual';
}

/** What the sender reads of the answer. */
export interface WebhookResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly body?: { cancel(): Promise<void> } | null;
}

/** How hard one delivery tries; each caller picks its own defaults. */
export interface WebhookDeliveryOptions {
  /** Tries in all. */
  readonly attempts?: number;
  /** Wait before the second try, doubling after. */
  readonly backoffMs?: number;
  /** Per-try timeout. */
  readonly timeoutMs?: number;
  /** The platform's `fetch` by default (every runtime core runs on has one). */
  readonly fetch?: (url: string, init: WebhookRequest) => Promise<WebhookResponse>;
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

// The platform's fetch and timeout signal, typed here since core's own type-check has no DOM lib.
const platform = globalThis as unknown as {
  fetch(url: string, init: WebhookRequest): Promise<WebhookResponse>;
  AbortSignal: { timeout(ms: number): PlatformAbortSignal };
};

/** `https://host:port` of a URL: what a log or an error may name (never the path, which may carry a token). */
export function webhookOrigin(url: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url)?.[0] ?? '(not a URL)';
}

/**
 * The one webhook sender (alerts and webhook trainers): POSTs `body` signed per Standard Webhooks
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`), retrying network failures, timeouts,
 * 408, 429 and 5xx with exponential backoff. Redirects are not followed: a signed body goes only
 * where it was configured to go.
 */
export async function deliverWebhook(message: WebhookMessage, options: WebhookDeliveryOptions = {}): Promise<WebhookOutcome> {
  const attempts = options.attempts ?? DEFAULTS.attempts;
  const custom = options.fetch;
  const send = (url: string, init: WebhookRequest) => (custom ? custom(url, init) : platform.fetch(url, init));
  const now = options.now ?? Date.now;
  let problem = 'was not tried';
  let status: number | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await new Promise<void>((resolve) => setTimeout(() => resolve(), (options.backoffMs ?? DEFAULTS.backoffMs) * 2 ** (attempt - 2)));
    const signature = await signWebhook(message.secret, message.id, now() / 1000, message.body);
    try {
      const response = await send(message.url, {
        method: 'POST',
        headers: { 'content-type': message.contentType, 'user-agent': 'flywheel-webhook/1', ...signature },
        body: message.body,
        signal: platform.AbortSignal.timeout(options.timeoutMs ?? DEFAULTS.timeoutMs),
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
