/**
 * Webhook signatures as the Standard Webhooks spec defines them (standardwebhooks.com), so a
 * receiver can verify with an off-the-shelf library: HMAC-SHA256 over `<id>.<timestamp>.<body>`,
 * sent as `webhook-signature: v1,<base64>` with `webhook-id` and `webhook-timestamp`.
 */
export interface WebhookSignatureHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

export async function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): Promise<WebhookSignatureHeaders> {
  const timestamp = String(Math.floor(timestampSeconds));
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestamp}.${body}`)));
  let binary = '';
  for (const byte of mac) binary += String.fromCharCode(byte);
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${btoa(binary)}` };
}
